// Pacing precision: real SMS campaigns at 60/min and 6,000/min (side by side, ~150 s each) and
// then 60,000/min (~90 s), on an isolated stack. For each, from two clocks:
//   - dispatch: `contacts.run_contact.dispatched_at`, the pacing instant of each contact (what the
//     pacer controls; read from the benchmark's own throwaway database);
//   - provider: the SMS simulator's own `acceptedAt` for the campaign's messages (what the
//     pipeline delivered; the later stages add latency, and show their own capacity).
// Figures: contacts per full minute (minutes counted from the first message) and its error
// against messagesPerMinute, and the largest one-second window [t, t + 1 s) against the
// per-second rate.
//
//   BENCH_CASES=pacing node dist/bench/run.js
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { campaignMessageId } from '@herald/contracts';
import { heraldClient } from '../tools/demo/herald-client';
import { awaitCompletion, CampaignHandle, prepareSmsCampaign, setCampaignStatus } from '../tools/demo/sms-campaign';
import { startIsolatedStack } from '../tools/stack/isolated-stack';
import { urlOf } from '../tools/stack/services';
import { round } from './relay';
import { ContactRow, uploadContacts } from './upload';

export interface PacingFigures {
  messages: number;
  /** Contacts in each full minute, and the error of each against the rate (%). */
  perMinute: number[];
  minuteErrorPercent: number[];
  /** The most messages any one-second window held, and that over the per-second rate. */
  largestSecond: number;
  largestSecondOverRate: number;
}

/** The figures above for one campaign's message times (epoch ms, any order). */
export function pacingFigures(times: number[], messagesPerMinute: number): PacingFigures {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? 0;
  const minutes = Math.floor((last - first) / 60_000);
  const perMinute = new Array<number>(minutes).fill(0);
  for (const t of sorted) {
    const m = Math.floor((t - first) / 60_000);
    if (m < minutes) perMinute[m]! += 1;
  }
  let largestSecond = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= 1_000) lo++;
    largestSecond = Math.max(largestSecond, hi - lo + 1);
  }
  return {
    messages: sorted.length,
    perMinute,
    minuteErrorPercent: perMinute.map((n) => round(((n - messagesPerMinute) / messagesPerMinute) * 100)),
    largestSecond,
    largestSecondOverRate: round(largestSecond / (messagesPerMinute / 60)),
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** The pacing campaigns' contacts (SMS, every phone number valid). */
const pacingContact = (i: number): ContactRow => ({
  id: `c${String(i).padStart(7, '0')}`,
  data: { customerId: String(100_000 + i), firstName: 'Ada', phone: `+1202555${String(i % 10_000).padStart(4, '0')}`, appointment: '9:00' },
});

export async function runPacingBench(brokers: string[]) {
  const simulatorLog = join(tmpdir(), `herald-bench-pacing-${randomUUID().slice(0, 8)}.jsonl`);
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase: 28480, extraEnv: { 'sms-simulator': { SMS_SIMULATOR_LOG: simulatorLog } } });
  const db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  try {
    const api = await heraldClient(urlOf(stack.settings, 'edge'), stack.settings.bootstrapClient);
    const measure = async (rate: number, contacts: number, campaignId: string) => {
      const [run] = (await db.query('SELECT run_id FROM contacts.dispatch_run WHERE campaign_id = $1', [campaignId])).rows;
      const rows: { contact_id: string; at: number }[] = (
        await db.query(`SELECT contact_id, extract(epoch FROM dispatched_at)::float8 * 1000 AS at FROM contacts.run_contact WHERE run_id = $1 AND dispatched_at IS NOT NULL`, [run.run_id])
      ).rows;
      const ids = new Set(rows.map((r) => campaignMessageId(run.run_id, r.contact_id, 'sms')));
      const accepted = readFileSync(simulatorLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { acceptedAt: string; context?: Record<string, string> })
        .filter((m) => ids.has(m.context?.['heraldMessageId'] ?? ''))
        .map((m) => Date.parse(m.acceptedAt));
      return { case: 'pacing', messagesPerMinute: rate, contacts, dispatch: pacingFigures(rows.map((r) => r.at), rate), provider: pacingFigures(accepted, rate) };
    };
    const run = async (cases: { rate: number; contacts: number }[]) => {
      const handles: CampaignHandle[] = [];
      for (const [i, c] of cases.entries()) {
        log(`pacing: uploading ${c.contacts} contacts for ${c.rate}/min`);
        // A sender number serves one running campaign at a time: one sender per side-by-side campaign.
        const sender = `+1555555${String(200 + i).padStart(4, '0')}`;
        const handle = await prepareSmsCampaign(api, { contacts: 0, messagesPerMinute: c.rate, name: `pacing ${c.rate} ${stack.id}`, sender });
        await uploadContacts(urlOf(stack.settings, 'edge'), api.accessToken, handle.contactListId, c.contacts, pacingContact);
        handles.push(handle);
      }
      log(`pacing: on (${cases.map((c) => `${c.rate}/min`).join(', ')})`);
      await Promise.all(handles.map((h) => setCampaignStatus(api, h.campaignId, 'on')));
      for (const h of handles) {
        const outcome = await awaitCompletion(api, h.campaignId, { timeoutMs: 900_000, intervalMs: 1_000 });
        if (outcome.status !== 'complete') throw new Error(`campaign ${h.campaignId} did not complete: ${outcome.status}`);
      }
      return Promise.all(cases.map((c, i) => measure(c.rate, c.contacts, handles[i]!.campaignId)));
    };
    // 150 s of sending each: two full minutes to measure. 60,000/min: 90 s (one full minute).
    const slow = await run([
      { rate: 60, contacts: 150 },
      { rate: 6_000, contacts: 15_000 },
    ]);
    const fast = await run([{ rate: 60_000, contacts: Number(process.env['BENCH_PACING_FAST_CONTACTS'] ?? 90_000) }]);
    return [...slow, ...fast];
  } finally {
    await db.end();
    await stack.close();
  }
}
