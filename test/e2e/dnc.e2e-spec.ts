// DNC lists and the global suppression, end to end: the Genesys SDK (and fetch for Herald's
// extensions) through the edge → dnc; a campaign whose contacts meet both in the filter stage.
// Real broker, real PostgreSQL, every service its own process.
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { Client } from 'pg';
import { readTopic, startTestStack, TestStack } from './support/test-stack';

interface Result {
  messageId: string;
  campaignId?: string;
  contactId?: string;
  outcome: string;
  reason?: string;
  dncListId?: string;
  detail?: string;
}

const MAX_UPLOAD = 512 * 1024;
let stack: TestStack;

beforeAll(async () => {
  // DNC_IMPORT_MERGE_BYTES=1: every validated batch (4,000 rows) of an import is merged into the list on its own.
  stack = await startTestStack({ portBase: 20080, extraEnv: { dnc: { DNC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), DNC_IMPORT_MERGE_BYTES: '1' } } });
});

afterAll(async () => {
  await stack?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof FormData) init.body = body;
    else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
  }
  const res = await stack.fetch(path, init);
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const future = () => new Date(Date.now() + 24 * 3600_000).toISOString();
const past = () => new Date(Date.now() - 3600_000).toISOString();
const phone = (i: number) => `+1202555${String(i).padStart(4, '0')}`;

async function newList(name: string, contactMethod: 'Phone' | 'Email' | 'Any' = 'Phone') {
  const list = await stack.api.outbound.postOutboundDnclists({ name, dncSourceType: 'rds', contactMethod });
  return list.id!;
}

async function size(listId: string): Promise<number> {
  return (await stack.api.outbound.getOutboundDnclist(listId, { includeSize: true })).size!;
}

it('skips contacts on the campaign DNC lists (dnc + list id) and globally suppressed ones, not expired or removed entries', async () => {
  const handle = await prepareSmsCampaign(stack.api, { contacts: 40, messagesPerMinute: 600_000, name: 'e2e dnc' });
  const dncList = await newList('e2e campaign dnc');
  const otherList = await newList('e2e unrelated dnc');
  // National and formatted input is stored in E.164, so it matches the contacts' numbers.
  await stack.api.outbound.postOutboundDnclistPhonenumbers(dncList, ['(202) 555-0001', '+1 202-555-0002']);
  await stack.api.outbound.patchOutboundDnclistPhonenumbers(dncList, { action: 'Add', phoneNumbers: ['2025550003'], expirationDateTime: future() });
  await stack.api.outbound.postOutboundDnclistPhonenumbers(dncList, ['2025550004'], { expirationDateTime: past() }); // expired: no effect
  await stack.api.outbound.patchOutboundDnclistPhonenumbers(dncList, { action: 'Add', phoneNumbers: ['2025550005'] });
  await stack.api.outbound.patchOutboundDnclistPhonenumbers(dncList, { action: 'Remove', phoneNumbers: ['(202) 555-0005'] });
  await stack.api.outbound.postOutboundDnclistPhonenumbers(otherList, [phone(6)]); // not the campaign's list
  expect(await size(dncList)).toBe(4);
  const added = await call('POST', '/api/v2/herald/suppressions', { channel: 'sms', address: '(202) 555-0010', reason: 'opt-out', source: 'e2e', createdBy: 'tester' });
  expect(added.status).toBe(200);
  expect(added.json).toMatchObject({ channel: 'sms', address: phone(10), reason: 'opt-out', source: 'e2e', createdBy: 'tester' });

  const campaign = await stack.api.outbound.getOutboundMessagingcampaign(handle.campaignId);
  // A DNC list that does not exist is refused: the campaign must not run without it.
  const ghost = '0f0e0d0c-0b0a-4909-8807-060504030201';
  const refused = await call('PUT', `/api/v2/outbound/messagingcampaigns/${handle.campaignId}`, { ...campaign, dncLists: [{ id: dncList }, { id: ghost }] });
  expect(refused.status).toBe(400);
  expect(refused.json).toMatchObject({ code: 'campaign.dnc.list.not.found' });
  expect((refused.json as { message: string }).message).toContain(ghost);
  await stack.api.outbound.putOutboundMessagingcampaign(handle.campaignId, { ...campaign, dncLists: [{ id: dncList }] });
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 120_000 });

  expect(outcome.status).toBe('complete');
  expect(outcome.progress.numberOfContactsSkipped).toEqual({ dnc: 3, suppressed: 1 });
  expect(outcome.progress.numberOfContactsMessaged).toBe(36);

  const records = await readTopic<Result>(stack, 'herald.delivery.result.v1', (rs) => rs.filter((r) => (r.value as Result).campaignId === handle.campaignId).length >= 40);
  const skipped = records.map((r) => r.value as Result).filter((v) => v.campaignId === handle.campaignId && v.outcome === 'skipped');
  const byContact = Object.fromEntries(skipped.map((v) => [v.contactId, { reason: v.reason, dncListId: v.dncListId }]));
  expect(byContact).toEqual({
    c0000001: { reason: 'dnc', dncListId: dncList },
    c0000002: { reason: 'dnc', dncListId: dncList },
    c0000003: { reason: 'dnc', dncListId: dncList },
    c0000010: { reason: 'suppressed', dncListId: undefined },
  });
  // The detail names the reason, never the address.
  expect(skipped.every((v) => !v.detail?.includes('202555'))).toBe(true);
  expect(skipped.find((v) => v.contactId === 'c0000010')?.detail).toMatch(/opt-out/);

  // DELETE …?expiredOnly=true removes only the expired entry; without it, all of them.
  await stack.api.outbound.deleteOutboundDnclistPhonenumbers(dncList, { expiredOnly: true });
  expect(await size(dncList)).toBe(3);
  await stack.api.outbound.deleteOutboundDnclistPhonenumbers(dncList, { expiredOnly: false });
  expect(await size(dncList)).toBe(0);
});

it('refuses invalid phone numbers and emails with one detail per bad value, adding none of the request', async () => {
  const phones = await newList('e2e invalid phones');
  const bad = await call('POST', `/api/v2/outbound/dnclists/${phones}/phonenumbers`, ['2025550123', 'call me', '12', 42]);
  expect(bad.status).toBe(400);
  expect(bad.json.code).toBe('dnc.entries.invalid');
  expect(bad.json.details.map((d: { index: number; reason: string }) => [d.index, d.reason])).toEqual([
    [1, 'invalid phone number: not a phone number'],
    [2, expect.stringMatching(/^invalid phone number: /)],
    [3, 'not a string'],
  ]);
  expect(await size(phones)).toBe(0);

  const emails = await newList('e2e invalid emails', 'Email');
  const badEmails = await call('PATCH', `/api/v2/outbound/dnclists/${emails}/emailaddresses`, { action: 'Add', emailAddresses: ['ok@example.org', 'nobody', 'a b@example.org'] });
  expect(badEmails.status).toBe(400);
  expect(badEmails.json.details.map((d: { index: number; reason: string }) => [d.index, d.reason])).toEqual([
    [1, 'invalid email address: missing @'],
    [2, 'invalid email address: contains whitespace'],
  ]);
  // An email list takes no phone numbers, and the other way round.
  const wrongKind = await call('POST', `/api/v2/outbound/dnclists/${emails}/phonenumbers`, ['2025550123']);
  expect(wrongKind.status).toBe(400);
  expect(wrongKind.json.code).toBe('dnc.list.contact.method');
  expect((await call('POST', `/api/v2/outbound/dnclists/${phones}/emailaddresses`, ['a@example.org'])).json.code).toBe('dnc.list.contact.method');
  // Emails are stored lower-cased: the same address in another case is one entry.
  await stack.api.outbound.postOutboundDnclistEmailaddresses(emails, ['Jane.Doe@Example.org', 'jane.doe@EXAMPLE.ORG']);
  expect(await size(emails)).toBe(1);

  const source = await call('POST', '/api/v2/outbound/dnclists', { name: 'e2e dnc.com', dncSourceType: 'dnc.com' });
  expect(source.status).toBe(400);
  expect(source.json.message).toContain('"dnc.com"');
  const method = await call('POST', '/api/v2/outbound/dnclists', { name: 'e2e sms', dncSourceType: 'rds', contactMethod: 'SMS' });
  expect(method.status).toBe(400);

  // Optimistic locking: a stale version is 409.
  const current = await stack.api.outbound.getOutboundDnclist(phones);
  const renamed = await stack.api.outbound.putOutboundDnclist(phones, { ...current, name: 'e2e invalid phones renamed' });
  expect(renamed.version).toBe(current.version! + 1);
  const stale = await call('PUT', `/api/v2/outbound/dnclists/${phones}`, { ...current, name: 'again' });
  expect(stale.status).toBe(409);
  expect(stale.json.code).toBe('version.mismatch');
  const listing = await stack.api.outbound.getOutboundDnclists({ name: 'e2e invalid phones', includeSize: true });
  expect(listing.entities?.map((l) => [l.name, l.size])).toEqual([['e2e invalid phones renamed', 0]]);
});

/** When dnc.dnc_entry's statistics were last refreshed by an ANALYZE (not autovacuum's). */
async function lastAnalyze(): Promise<Date | null> {
  const db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ at: Date | null }>(`SELECT last_analyze AS at FROM pg_stat_user_tables WHERE schemaname = 'dnc' AND relname = 'dnc_entry'`);
    return rows[0]?.at ?? null;
  } finally {
    await db.end();
  }
}

it('imports a CSV (raw and multipart), reporting bad rows row by row, and stores each accepted entry once', async () => {
  const listId = await newList('e2e csv import');
  const analysedBefore = await lastAnalyze();
  const csv = [
    'name,phone,expirationDateTime',
    'Ann,(202) 555-0301,',
    'Bob,not-a-phone,',
    '"Doe, Jane",+1 202 555 0302,2099-01-01T00:00Z',
    '',
    'Eve,2025550303,yesterday',
    'Joe,jane@example.org,',
    'Kim,2025550301,', // a repeat of row 2
  ].join('\r\n');
  const first = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, csv, { 'content-type': 'text/csv' });
  expect(first.status).toBe(200);
  expect(first.json).toMatchObject({ state: 'SUCCEEDED', totalRecords: 6, completedRecords: 3, rejectedRecords: 3, percentComplete: 100 });
  expect(first.json.rejections).toEqual([
    { row: 3, value: 'not-a-phone', reason: 'invalid phone number: not a phone number' },
    { row: 6, value: 'yesterday', reason: expect.stringMatching(/^invalid expiration date-time/) },
    { row: 7, value: 'jane@example.org', reason: 'an email address; this DNC list takes phone numbers only' },
  ]);
  expect(await size(listId)).toBe(2);
  // The planner's statistics are refreshed once the import is committed (a stale plan after a big
  // load made the filter stage scan the whole table for each batch).
  expect((await lastAnalyze())?.getTime()).toBeGreaterThan(analysedBefore?.getTime() ?? 0);
  const status = await stack.api.outbound.getOutboundDnclistImportstatus(listId);
  expect(status).toMatchObject({ state: 'SUCCEEDED', totalRecords: 6, completedRecords: 3 });

  // The same file again, as a multipart upload: nothing new.
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'dnc.csv');
  const again = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, form);
  expect(again.status).toBe(200);
  expect(again.json).toMatchObject({ state: 'SUCCEEDED', completedRecords: 3, rejectedRecords: 3 });
  expect(await size(listId)).toBe(2);

  // Malformed CSV is refused whole: nothing of it is stored.
  const malformed = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, 'phone\n2025550310\n"2025550311\n', { 'content-type': 'text/csv' });
  expect(malformed.status).toBe(400);
  expect(malformed.json.code).toBe('dnc.import.malformed');
  expect(await size(listId)).toBe(2);
  expect((await stack.api.outbound.getOutboundDnclist(listId, { includeImportStatus: true })).importStatus?.state).toBe('FAILED');

  const missing = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, new FormData());
  expect(missing.status).toBe(400);
  const json = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, { phone: '1' });
  expect(json.status).toBe(415);
});

it('keeps the last row of a repeated address, on a first load (plain INSERT) and into a list with entries (upsert)', async () => {
  const listId = await newList('e2e import expiry');
  const entries = async () => {
    await stack.api.outbound.postOutboundDnclistExport(listId);
    const [, ...rows] = (await call('GET', `/api/v2/outbound/dnclists/${listId}/export/download`)).text.trim().split('\n');
    return rows.sort();
  };
  const load = async (...rows: string[]) => {
    const res = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, ['phone,expirationDateTime', ...rows].join('\n'), { 'content-type': 'text/csv' });
    expect(res.json).toMatchObject({ state: 'SUCCEEDED', completedRecords: rows.length, rejectedRecords: 0 });
  };
  // The list is empty: the first load.
  await load('2025550501,2090-01-01T00:00Z', '2025550502,', '+1 202 555 0501,2091-01-01T00:00Z');
  expect(await entries()).toEqual(['+12025550501,2091-01-01T00:00:00.000Z', '+12025550502,']);
  // The list has entries: an existing entry takes the expiry of the file's last row for it.
  await load('2025550502,2092-01-01T00:00Z', '2025550503,', '2025550502,2093-01-01T00:00Z', '2025550501,');
  expect(await entries()).toEqual(['+12025550501,', '+12025550502,2093-01-01T00:00:00.000Z', '+12025550503,']);
});

it('merges an import part by part: a later part repeating an address keeps its last row, and a failed import stores none of its parts', async () => {
  const listId = await newList('e2e import parts');
  const header = 'phone,expirationDateTime';
  // 4,500 distinct numbers: two parts (batches of 4,000); the last row repeats the 8th, from the first part.
  const rows = Array.from({ length: 4_500 }, (_, i) => `${phone(i)},`);
  const imported = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, [header, ...rows, `${phone(7)},2095-01-01T00:00Z`].join('\n'), { 'content-type': 'text/csv' });
  expect(imported.json).toMatchObject({ state: 'SUCCEEDED', completedRecords: 4_501, rejectedRecords: 0 });
  expect(await size(listId)).toBe(4_500);
  await stack.api.outbound.postOutboundDnclistExport(listId);
  const exported = (await call('GET', `/api/v2/outbound/dnclists/${listId}/export/download`)).text.trim().split('\n');
  expect(exported).toHaveLength(4_501);
  expect(exported).toContain(`${phone(7)},2095-01-01T00:00:00.000Z`);
  expect(exported).toContain(`${phone(8)},`);

  // A part's worth of rows and more (under MAX_UPLOAD), then a line that is not CSV: the whole import is refused, nothing of it stored.
  const other = await newList('e2e import parts refused');
  const bad = [header, ...Array.from({ length: 4_400 }, (_, i) => `${phone(i)},`), '"+12025550001,'].join('\n');
  const refused = await call('POST', `/api/v2/outbound/dnclists/${other}/imports`, bad, { 'content-type': 'text/csv' });
  expect(refused.status).toBe(400);
  expect(refused.json.code).toBe('dnc.import.malformed');
  expect(await size(other)).toBe(0);
});

it('answers 409 to entries added, removed or cleared while an import holds the list, and takes them once it has committed', async () => {
  const listId = await newList('e2e import holds the list');
  // An upload that pauses after 4,100 rows until the test lets it end: the first batch of 4,000 is
  // validated and taken as soon as it is there, so it is merged while the upload waits. (csv-parse
  // holds back a line that ends its input until more comes, hence more than one batch's rows.)
  let resume!: () => void;
  const paused = new Promise<void>((r) => (resume = r));
  const number = (i: number) => `+1202${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')}`;
  const parts = [['phone', ...Array.from({ length: 4_100 }, (_, i) => number(i))].join('\n') + '\n', `${number(4_100)}\n`];
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (parts.length === 1) await paused;
      const part = parts.shift();
      if (part === undefined) controller.close();
      else controller.enqueue(encoder.encode(part));
    },
  });
  const importing = stack.fetch(`/api/v2/outbound/dnclists/${listId}/imports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);

  // The first part is merged once the list's entry lock (dnc-lists.service.ts, lockEntries) is taken.
  const db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  try {
    const lockFree = async () =>
      (await db.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free', [`dnc.dnc_entry ${listId}`])).rows[0]!.free;
    for (let polls = 0; await lockFree(); polls++) {
      if (polls === 1_200) throw new Error('the import has not taken the list after a minute');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await db.end();
  }
  // Every change to entries waits for the lock (5 s) together, then is refused.
  const entries = `/api/v2/outbound/dnclists/${listId}/phonenumbers`;
  const refused = await Promise.all([
    call('POST', entries, [phone(9_000)]),
    call('PATCH', entries, { action: 'Remove', phoneNumbers: [number(0)] }),
    call('DELETE', `${entries}?expiredOnly=true`),
    call('DELETE', entries),
  ]);
  expect(refused.map((r) => [r.status, r.json?.code])).toEqual(Array(4).fill([409, 'dnc.list.import.in.progress']));

  resume();
  expect(await (await importing).json()).toMatchObject({ state: 'SUCCEEDED', completedRecords: 4_101 });
  expect((await call('POST', entries, [phone(9_000)])).status).toBeLessThan(300);
  expect((await call('PATCH', entries, { action: 'Remove', phoneNumbers: [number(0)] })).status).toBeLessThan(300);
  expect(await size(listId)).toBe(4_101);
});

it('refuses an upload over DNC_MAX_UPLOAD_BYTES with 413 naming the limit, storing nothing', async () => {
  const listId = await newList('e2e oversized');
  const lines = ['phone'];
  for (let i = 0, length = lines[0]!.length; length <= MAX_UPLOAD; i++) {
    lines.push(`+1202555${String(i % 10_000).padStart(4, '0')}`);
    length += 1 + lines[i + 1]!.length;
  }
  const big = lines.join('\n');
  const refused = await call('POST', `/api/v2/outbound/dnclists/${listId}/imports`, big, { 'content-type': 'text/csv' });
  expect(refused.status).toBe(413);
  expect(refused.json.code).toBe('payload.too.large');
  expect(refused.json.message).toContain(`limit of ${MAX_UPLOAD} bytes`);
  expect(await size(listId)).toBe(0);

  // Without Content-Length (chunked), the limit is enforced while the file streams in.
  const encoder = new TextEncoder();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > 4 * MAX_UPLOAD) return controller.close();
      const chunk = encoder.encode(lines.slice(1, 500).join('\n') + '\n');
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const chunked = await stack.fetch(`/api/v2/outbound/dnclists/${listId}/imports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: stream, duplex: 'half' } as RequestInit);
  expect(chunked.status).toBe(413);
  expect(((await chunked.json()) as { message: string }).message).toContain(`limit of ${MAX_UPLOAD} bytes`);
  expect(await size(listId)).toBe(0);
  const failed = await stack.api.outbound.getOutboundDnclistImportstatus(listId);
  expect(failed).toMatchObject({ state: 'FAILED', failureReason: expect.stringContaining('DNC_MAX_UPLOAD_BYTES') });
});

it('exports the list as CSV that imports back, with formula-like cells neutralised', async () => {
  const listId = await newList('e2e export', 'Any');
  expect((await call('GET', `/api/v2/outbound/dnclists/${listId}/export`)).status).toBe(404);
  await stack.api.outbound.postOutboundDnclistEmailaddresses(listId, ['=HYPERLINK@example.org', '+tag@example.org', '-x@example.org', 'plain@example.org']);
  await stack.api.outbound.postOutboundDnclistPhonenumbers(listId, ['2025550401'], { expirationDateTime: '2099-01-01T00:00Z' });
  await stack.api.outbound.postOutboundDnclistExport(listId);
  const uri = await stack.api.outbound.getOutboundDnclistExport(listId);
  expect(uri.uri).toBe(`/api/v2/outbound/dnclists/${listId}/export/download`);
  const file = await call('GET', uri.uri!);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
  const [header, ...rows] = file.text.trim().split('\n');
  expect(header).toBe('address,expirationDateTime');
  expect(rows.sort()).toEqual([
    "'+tag@example.org,",
    "'-x@example.org,",
    "'=hyperlink@example.org,",
    '+12025550401,2099-01-01T00:00:00.000Z', // E.164 is a number to a spreadsheet, not a formula
    'plain@example.org,',
  ]);
  // The export imports back into another list unchanged.
  const copy = await newList('e2e export copy', 'Any');
  const imported = await call('POST', `/api/v2/outbound/dnclists/${copy}/imports`, file.text, { 'content-type': 'text/csv' });
  expect(imported.json).toMatchObject({ state: 'SUCCEEDED', completedRecords: 5, rejectedRecords: 0 });
  await stack.api.outbound.postOutboundDnclistExport(copy);
  expect((await call('GET', `/api/v2/outbound/dnclists/${copy}/export/download`)).text).toBe(file.text);
});

it('lists, re-adds (updating provenance) and removes global suppressions', async () => {
  const add = (body: Record<string, string>) => call('POST', '/api/v2/herald/suppressions', body);
  expect((await add({ channel: 'email', address: 'Bounce@Example.ORG', reason: 'bounce', source: 'ses' })).json.address).toBe('bounce@example.org');
  const readded = await add({ channel: 'email', address: 'bounce@example.org', reason: 'complaint', source: 'support', createdBy: 'agent-7' });
  expect(readded.json).toMatchObject({ reason: 'complaint', source: 'support', createdBy: 'agent-7' });
  const found = await call('GET', '/api/v2/herald/suppressions?channel=email&address=BOUNCE%40example.org');
  expect(found.json.total).toBe(1);
  expect(found.json.entities[0]).toMatchObject({ channel: 'email', address: 'bounce@example.org', reason: 'complaint' });

  expect((await add({ channel: 'sms', address: 'not a number', reason: 'manual', source: 'e2e' })).status).toBe(400);
  expect((await add({ channel: 'fax', address: '2025550123', reason: 'manual', source: 'e2e' })).status).toBe(400);
  expect((await add({ channel: 'sms', address: '2025550123', reason: 'because', source: 'e2e' })).status).toBe(400);

  expect((await call('DELETE', `/api/v2/herald/suppressions/email/${encodeURIComponent('Bounce@example.org')}`)).status).toBe(204);
  expect((await call('GET', '/api/v2/herald/suppressions?address=bounce%40example.org')).json.total).toBe(0);
  expect((await call('DELETE', `/api/v2/herald/suppressions/email/${encodeURIComponent('bounce@example.org')}`)).status).toBe(404);
});
