// Running a prepared campaign to completion for a benchmark, over plain HTTP: on a crowded machine
// a request can outlast the SDK's fixed 16 s timeout, so each call here waits longer and a failed
// read is simply read again.

/** The highest `messagesPerMinute` the API allows: the pipeline, not the pacer, is what is measured. */
export const NO_RATE_LIMIT = 1_000_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(edgeUrl: string, accessToken: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${edgeUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** `read` again after a failure, up to 10 times. */
async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (attempt === 10) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/**
 * Turns a prepared campaign on and waits until it is complete: the seconds from `on` to
 * `complete` (contact upload excluded), when it was turned on, and its final progress.
 */
export async function runToCompletion(edgeUrl: string, accessToken: string, campaignId: string): Promise<{ seconds: number; startedAt: number; progress: Json }> {
  const path = `/api/v2/outbound/messagingcampaigns/${campaignId}`;
  const startedAt = Date.now();
  const start = process.hrtime.bigint();
  // A PUT that timed out may have been applied: read the campaign again before asking again.
  await retried(async () => {
    const current = await call(edgeUrl, accessToken, 'GET', path);
    if (current.campaignStatus !== 'on') await call(edgeUrl, accessToken, 'PUT', path, { ...current, campaignStatus: 'on' });
  });
  for (const deadline = Date.now() + 3_600_000; ; ) {
    const status = await call(edgeUrl, accessToken, 'GET', path).then((c: Json) => c.campaignStatus as string, () => 'unknown');
    if (status === 'complete') break;
    if (Date.now() > deadline) throw new Error(`campaign ${campaignId} did not complete in an hour: ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, startedAt, progress: await retried(() => call(edgeUrl, accessToken, 'GET', `${path}/progress`)) };
}
