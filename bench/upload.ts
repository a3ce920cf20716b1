// Adding many contacts to a list through the edge for a benchmark.

export interface ContactRow {
  id: string;
  data: Record<string, string>;
}

/**
 * Adds `contacts` contacts, `row(i)` each (1,000 per request, two requests at a time), retrying a
 * request that fails: on a busy machine a request can outlast the SDK's 16 s timeout, and
 * re-adding the same contact ids changes nothing.
 */
export async function uploadContacts(edgeUrl: string, accessToken: string, listId: string, contacts: number, row: (i: number) => ContactRow): Promise<void> {
  const starts = Array.from({ length: Math.ceil(contacts / 1_000) }, (_, i) => i * 1_000);
  const worker = async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) {
      const body = JSON.stringify(Array.from({ length: Math.min(1_000, contacts - start) }, (_, k) => row(start + k)));
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${edgeUrl}/api/v2/outbound/contactlists/${listId}/contacts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body }).catch((e: Error) => e);
        if (!(res instanceof Error) && res.ok) break;
        if (attempt === 5) throw new Error(`adding contacts failed: ${res instanceof Error ? res.message : res.status}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
}
