// Contact lists end to end: list and contact validation (limits, versions, time zones), contact
// update / bulk get / delete, priority contacts overtaking a running campaign, the per-contact
// results kept by contacts from the result topic, and the export with results (CSV injection
// neutralised). Real broker, real PostgreSQL, every service its own process.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON bodies loosely and assert on their shape */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import type { Models } from 'purecloud-platform-client-v2';
import { awaitCompletion, provisionSender, setCampaignStatus, SENDER } from '../../tools/demo/sms-campaign';
import { urlOf } from '../../tools/stack/services';
import { acceptedBySimulator, startTestStack, TestStack } from './support/test-stack';

let stack: TestStack;
let edge: string;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 22080 });
  edge = urlOf(stack.settings, 'edge');
});

afterAll(async () => {
  await stack?.close();
});

interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A raw request through the edge (for error bodies and the CSV download). */
async function http<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  // A full URL (an export's `uri`) must point at the edge; it is requested as a path with the stack's token.
  const res = await stack.fetch(path.startsWith('http') ? path.slice(edge.length) : path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* CSV or empty */
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const LISTS = '/api/v2/outbound/contactlists';

async function createList(body: Record<string, unknown>) {
  const r = await http('POST', LISTS, { name: `list ${randomUUID()}`, ...body });
  expect(r.status).toBe(200);
  return r.body as Models.ContactList & Record<string, unknown>;
}

async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: stack.settings.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function createTemplate(content: string, substitutions: { id: string; defaultValue?: string }[]) {
  const t = await stack.api.responses.postResponsemanagementResponses({
    name: `tpl ${randomUUID()}`,
    libraries: [{ id: 'e2e' }],
    responseType: 'CampaignSmsTemplate',
    texts: [{ content, contentType: 'text/plain' }],
    substitutions,
  });
  return t.id!;
}

async function createCampaign(listId: string, templateId: string, messagesPerMinute: number, dncListIds: string[] = []) {
  await provisionSender(stack.api, SENDER);
  const c = await stack.api.outbound.postOutboundMessagingcampaigns({
    name: `campaign ${randomUUID()}`,
    contactList: { id: listId },
    messagesPerMinute,
    dncLists: dncListIds.map((id) => ({ id })),
    smsConfig: { phoneColumn: 'phone', messageColumn: '', senderSmsPhoneNumber: { phoneNumber: SENDER }, contentTemplate: { id: templateId } } as Models.SmsConfig,
  });
  return c.id!;
}

describe('contact lists', () => {
  it('refuses a list of 51 columns, naming the limit of 50', async () => {
    const columnNames = Array.from({ length: 51 }, (_, i) => `c${i}`);
    const r = await http('POST', LISTS, { name: `too wide ${randomUUID()}`, columnNames });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('bad.request');
    expect(r.body.message).toMatch(/at most 50 columns/);
    // 50 is fine.
    await createList({ columnNames: columnNames.slice(0, 50) });
  });

  it('answers 409 to an update with a stale version, and the list keeps the winning update', async () => {
    const list = await createList({ columnNames: ['a', 'b'] });
    const first = await http('PUT', `${LISTS}/${list.id}`, { ...list, columnNames: ['a', 'b', 'c'] });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await http('PUT', `${LISTS}/${list.id}`, { ...list, columnNames: ['x'] }); // still version 1
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version.mismatch');
    const now = await http('GET', `${LISTS}/${list.id}`);
    expect(now.body.columnNames).toEqual(['a', 'b', 'c']);
    expect(now.body.version).toBe(2);
  });

  it('stores the time zone sources and refuses ones that name no column of the list', async () => {
    const list = await createList({
      columnNames: ['phone', 'zip', 'tz', 'window'],
      phoneColumns: [{ columnName: 'phone', type: 'cell', callableTimeColumnName: 'window' }],
      automaticTimeZoneMapping: true,
      zipCodeColumnName: 'zip',
      timeZoneColumn: 'tz',
    });
    const got = await http('GET', `${LISTS}/${list.id}`);
    expect(got.body).toMatchObject({
      automaticTimeZoneMapping: true,
      zipCodeColumnName: 'zip',
      timeZoneColumn: 'tz',
      phoneColumns: [{ columnName: 'phone', type: 'cell', callableTimeColumnName: 'window' }],
      size: 0,
    });
    for (const bad of [
      { timeZoneColumn: 'timezone' },
      { zipCodeColumnName: 'postcode' },
      { phoneColumns: [{ columnName: 'phone', type: 'cell', callableTimeColumnName: 'hours' }] },
    ]) {
      const r = await http('POST', LISTS, { name: `bad tz ${randomUUID()}`, columnNames: ['phone', 'zip', 'tz'], ...bad });
      expect({ bad, status: r.status, code: r.body.code }).toEqual({ bad, status: 400, code: 'contact.list.column.unknown' });
    }
    // A PUT that drops the column a source names is refused too.
    const r = await http('PUT', `${LISTS}/${list.id}`, { ...got.body, columnNames: ['phone', 'zip', 'window'] });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/timeZoneColumn: column "tz"/);
  });

  it('refuses a contact whose time zone column is not an IANA zone, and stores valid zones', async () => {
    const list = await createList({ columnNames: ['phone', 'tz'], phoneColumns: [{ columnName: 'phone', type: 'cell' }], timeZoneColumn: 'tz' });
    const bad = await http('POST', `${LISTS}/${list.id}/contacts`, [
      { id: 'ok', data: { phone: '+12025550100', tz: 'Europe/Paris' } },
      { id: 'mars', data: { phone: '+12025550101', tz: 'Mars/Olympus_Mons' } },
      { id: 'offset', data: { phone: '+12025550102', tz: '+01:00' } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('contacts.invalid');
    expect(bad.body.details.map((d: { index: number; fields: { column: string }[] }) => [d.index, d.fields[0]!.column])).toEqual([
      [1, 'tz'],
      [2, 'tz'],
    ]);
    expect(bad.body.details[0].errors[0]).toMatch(/column "tz": "Mars\/Olympus_Mons" is not an IANA time zone/);
    expect((await http('GET', `${LISTS}/${list.id}`)).body.size).toBe(0); // nothing added

    const good = await http('POST', `${LISTS}/${list.id}/contacts`, [
      { id: 'paris', data: { phone: '+12025550100', tz: 'Europe/Paris' } },
      { id: 'ny', data: { phone: '+12025550101', tz: 'america/new_york' } },
      { id: 'none', data: { phone: '+12025550102', tz: '' } },
    ]);
    expect(good.status).toBe(200);
    expect(good.body.map((c: { data: { tz: string } }) => c.data.tz)).toEqual(['Europe/Paris', 'America/New_York', '']);
  });

  it('refuses 1,001 contacts in one request, naming the limit of 1,000', async () => {
    const list = await createList({ columnNames: ['phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
    const contacts = Array.from({ length: 1_001 }, (_, i) => ({ id: `k${i}`, data: { phone: `+1202555${String(i).padStart(4, '0')}` } }));
    const r = await http('POST', `${LISTS}/${list.id}/contacts`, contacts);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('contacts.too.many');
    expect(r.body.message).toMatch(/at most 1000 contacts per request; got 1001/);
    expect((await http('GET', `${LISTS}/${list.id}`)).body.size).toBe(0);
    const ok = await http('POST', `${LISTS}/${list.id}/contacts`, contacts.slice(0, 1_000));
    expect(ok.status).toBe(200);
    expect((await http('GET', `${LISTS}/${list.id}`)).body.size).toBe(1_000);
  });

  it('refuses invalid phone numbers with index, column and reason, and adds none of the request', async () => {
    const list = await createList({ columnNames: ['name', 'phone', 'mobile'], phoneColumns: [{ columnName: 'phone', type: 'cell' }, { columnName: 'mobile', type: 'cell' }] });
    const r = await http('POST', `${LISTS}/${list.id}/contacts`, [
      { id: 'good', data: { name: 'Ada', phone: '+12025550100' } },
      { id: 'letters', data: { name: 'Bob', phone: 'call me maybe' } },
      { id: 'good2', data: { name: 'Cy', phone: '+442071838750' } },
      { id: 'short', data: { name: 'Di', phone: '+1202', mobile: '12' } },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('contacts.invalid');
    expect(r.body.message).toMatch(/2 of 4 contacts are invalid; none were added/);
    const details = r.body.details as { index: number; contactId: string; fields: { column: string; reason: string }[] }[];
    expect(details.map((d) => [d.index, d.contactId, d.fields.map((f) => f.column)])).toEqual([
      [1, 'letters', ['phone']],
      [3, 'short', ['phone', 'mobile']],
    ]);
    for (const d of details) for (const f of d.fields) expect(f.reason.length).toBeGreaterThan(3);
    expect((await http('GET', `${LISTS}/${list.id}`)).body.size).toBe(0);
    expect((await http('GET', `${LISTS}/${list.id}/contacts/good`)).status).toBe(404);
  });

  it('updates, bulk-gets and deletes contacts (with the SDK)', async () => {
    const list = await createList({ columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }], defaultPhoneRegion: 'US' });
    await stack.api.outbound.postOutboundContactlistContacts(list.id!, [
      { id: 'a', contactListId: list.id!, data: { name: 'Ada', phone: '+12025550100' } },
      { id: 'b', contactListId: list.id!, data: { name: 'Bob', phone: '+12025550101' } },
      { id: 'c', contactListId: list.id!, data: { name: 'Cy', phone: '+12025550102' } },
    ]);

    // Update: the data is replaced and validated the same way as on add (national number → E.164).
    const updated = await stack.api.outbound.putOutboundContactlistContact(list.id!, 'a', { id: 'a', contactListId: list.id!, data: { name: 'Ada L.', phone: '(202) 555-0199' } });
    expect(updated.data).toEqual({ name: 'Ada L.', phone: '+12025550199' });
    expect((await stack.api.outbound.getOutboundContactlistContact(list.id!, 'a')).data).toEqual({ name: 'Ada L.', phone: '+12025550199' });
    const invalid = await http('PUT', `${LISTS}/${list.id}/contacts/a`, { data: { name: 'x', phone: 'nope' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details[0].fields[0].column).toBe('phone');
    expect((await http('GET', `${LISTS}/${list.id}/contacts/a`)).body.data.name).toBe('Ada L.'); // unchanged
    expect((await http('PUT', `${LISTS}/${list.id}/contacts/zzz`, { data: { name: 'x' } })).status).toBe(404);
    expect((await http('PUT', `${LISTS}/${list.id}/contacts/a`, { id: 'b', data: { name: 'x' } })).status).toBe(400);
    // A GET body can be PUT back.
    const roundTrip = await http('GET', `${LISTS}/${list.id}/contacts/b`);
    expect((await http('PUT', `${LISTS}/${list.id}/contacts/b`, roundTrip.body)).status).toBe(200);

    // Bulk get: the contacts found, in the order asked; unknown ids left out; at most 50 ids.
    const bulk = await stack.api.outbound.postOutboundContactlistContactsBulk(list.id!, ['c', 'nope', 'a']);
    expect(bulk.map((c) => [c.id, c.data['name']])).toEqual([
      ['c', 'Cy'],
      ['a', 'Ada L.'],
    ]);
    const tooMany = await http('POST', `${LISTS}/${list.id}/contacts/bulk`, Array.from({ length: 51 }, (_, i) => `id${i}`));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/at most 50 contact ids/);

    await stack.api.outbound.deleteOutboundContactlistContact(list.id!, 'b');
    expect((await http('GET', `${LISTS}/${list.id}/contacts/b`)).status).toBe(404);
    expect((await http('DELETE', `${LISTS}/${list.id}/contacts/b`)).status).toBe(404);
    expect((await http('GET', `${LISTS}/${list.id}`)).body.size).toBe(2);
  });
});

describe('priority contacts in a running campaign', () => {
  it('sends priority contacts added mid-run before the remaining contacts; doNotQueue contacts stay out of the run', async () => {
    const list = await createList({ columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
    const regular = Array.from({ length: 100 }, (_, i) => ({ id: `n${String(i).padStart(3, '0')}`, data: { name: `N${i}`, phone: `+1202555${1000 + i}` } }));
    expect((await http('POST', `${LISTS}/${list.id}/contacts`, regular)).status).toBe(200);
    const templateId = await createTemplate('Hello {{name}}', [{ id: 'name' }]);
    const campaignId = await createCampaign(list.id!, templateId, 600); // 10 per second
    const ours = (d: string) => /^\+1202555[1-3]\d{3}$/.test(d);
    const sent = () => acceptedBySimulator(stack).filter((m) => ours(m.destination));

    await setCampaignStatus(stack.api, campaignId, 'on');
    await poll('the first contacts to be sent', async () => (sent().length >= 10 ? true : undefined));
    const before = sent().length;
    const priority = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, data: { name: `P${i}`, phone: `+1202555${2000 + i}` } }));
    const added = await http('POST', `${LISTS}/${list.id}/contacts?priority=true`, priority);
    expect(added.status).toBe(200);
    const db = new Client({ connectionString: stack.settings.databaseUrl });
    await db.connect();
    const [{ now: addedAt }] = (await db.query<{ now: Date }>('SELECT now()')).rows;
    const quiet = [{ id: 'q0', data: { name: 'Q0', phone: '+12025553000' } }];
    expect((await http('POST', `${LISTS}/${list.id}/contacts?doNotQueue=true`, quiet)).status).toBe(200);

    const outcome = await awaitCompletion(stack.api, campaignId, { timeoutMs: 120_000 });
    expect(outcome.status).toBe('complete');
    expect(outcome.progress.totalNumberOfContacts).toBe(105); // the doNotQueue contact did not join
    const order = sent().map((m) => m.destination);
    expect(order).toHaveLength(105);
    expect(order).not.toContain('+12025553000');
    expect(before).toBeLessThan(30); // the priority contacts really were added mid-run
    const after = order.slice(before);
    const positions = priority.map((p) => after.indexOf(p.data.phone));
    expect(positions.every((p) => p >= 0)).toBe(true);
    // Contacts already dispatched when the priority ones arrived may still land first (in flight:
    // at 10/s, a few); every other remaining contact comes after all five priority ones.
    const regularAfter = after.filter((d) => !priority.some((p) => p.data.phone === d));
    const overtaken = regularAfter.length - after.slice(Math.max(...positions) + 1).length;
    expect(regularAfter.length).toBeGreaterThan(70);

    // What the dispatcher did (contacts.run_contact): no regular contact dispatched after the
    // priority ones were added went out before them.
    const dispatched = (
      await db
        .query<{ contact_id: string; priority: boolean; dispatched_at: Date }>(
          `SELECT contact_id, priority, dispatched_at FROM contacts.run_contact
            WHERE run_id = (SELECT run_id FROM contacts.dispatch_run WHERE campaign_id = $1) ORDER BY dispatched_at`,
          [campaignId],
        )
        .finally(() => db.end())
    ).rows;
    const lastPriority = Math.max(...dispatched.filter((d) => d.priority).map((d) => d.dispatched_at.getTime()));
    const regularLater = dispatched.filter((d) => !d.priority && d.dispatched_at > addedAt);
    expect(regularLater.length).toBeGreaterThan(50);
    expect(regularLater.filter((d) => d.dispatched_at.getTime() < lastPriority)).toEqual([]);
    // In the messages sent, only contacts already dispatched before the priority ones (in the
    // pipeline at the time, a few at 10/s; more on a loaded machine) may come first.
    const inFlight = dispatched.filter((d) => !d.priority && d.dispatched_at.getTime() < lastPriority).length - before;
    expect(overtaken).toBeLessThanOrEqual(Math.max(6, inFlight));
  });
});

describe('per-contact results and export', () => {
  const DNC_PHONE = '+12025550103';
  const SUPPRESSED_PHONE = '+12025550104';

  /** A DNC list holding DNC_PHONE: through the DNC API when it answers, and in dnc.dnc_entry regardless. */
  async function dncListWithPhone(): Promise<string> {
    let id: string = randomUUID();
    const created = await http('POST', '/api/v2/outbound/dnclists', { name: `dnc ${id}`, dncSourceType: 'rds', contactMethod: 'Phone' });
    if (created.status === 200 && created.body?.id) {
      id = created.body.id;
      await http('POST', `/api/v2/outbound/dnclists/${id}/phonenumbers`, [DNC_PHONE]);
    }
    await sql('INSERT INTO dnc.dnc_entry (list_id, address) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, DNC_PHONE]);
    return id;
  }

  async function latest(listId: string, ids: string[]): Promise<Record<string, any>> {
    const r = await http('POST', `${LISTS}/${listId}/contacts/bulk`, ids);
    expect(r.status).toBe(200);
    return Object.fromEntries((r.body as { id: string; latestResults?: unknown }[]).map((c) => [c.id, c.latestResults]));
  }

  async function exportCsv(listId: string): Promise<string[][]> {
    const requested = await stack.api.outbound.postOutboundContactlistExport(listId);
    expect(requested.id).toMatch(/^[0-9a-f-]{36}$/);
    const uri = await stack.api.outbound.getOutboundContactlistExport(listId);
    expect(uri.uri).toBe(`${edge}${LISTS}/${listId}/export/download`);
    const download = await http('GET', uri.uri!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    return parse(download.text, { relax_column_count: false }) as string[][];
  }

  /** Publishes results on the stack's result topic, in one produce request, all with one key (so one partition, in order). */
  async function produceResult(key: string, ...results: Record<string, unknown>[]) {
    const producer = stack.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${stack.settings.topicPrefix}herald.delivery.result.v1`,
      messages: results.map((data) => ({
        key,
        value: JSON.stringify(data),
        headers: { 'content-type': 'application/json', ce_id: randomUUID(), ce_type: 'io.herald.delivery.result.v1', ce_source: '/e2e', ce_specversion: '1.0' },
      })),
    });
    await producer.disconnect();
  }

  it('keeps the last result per contact, exports it worded for people with neutralised cells, and follows later events', async () => {
    const list = await createList({
      columnNames: ['firstName', 'phone', 'appointment', 'email'],
      phoneColumns: [{ columnName: 'phone', type: 'cell' }],
      emailColumns: [{ columnName: 'email', type: 'work' }],
    });
    const L = list.id!;
    const contacts = [
      { id: 'r1', data: { firstName: '=SUM(1+1)', phone: '+12025550101', appointment: '9:00', email: 'ada@example.com' } },
      { id: 'r2', data: { firstName: 'Bob', phone: '', appointment: '10:00' } },
      { id: 'r3', data: { firstName: '-Cy', phone: DNC_PHONE, appointment: '11:00' } },
      { id: 'r4', data: { firstName: '@Di', phone: SUPPRESSED_PHONE, appointment: '12:00' } },
      { id: 'r5', data: { firstName: 'Eve', phone: '+12025550105' } }, // no appointment: render fails
    ];
    expect((await http('POST', `${LISTS}/${L}/contacts`, contacts)).status).toBe(200);
    const dncListId = await dncListWithPhone();
    await sql(`INSERT INTO dnc.suppression (channel, address, reason, source) VALUES ('sms', $1, 'opt-out', 'e2e') ON CONFLICT DO NOTHING`, [SUPPRESSED_PHONE]);
    const templateId = await createTemplate('Hi {{firstName}}, see you at {{appointment}}.', [{ id: 'firstName' }, { id: 'appointment' }]);
    const campaignId = await createCampaign(L, templateId, 600_000, [dncListId]);
    await setCampaignStatus(stack.api, campaignId, 'on');
    const outcome = await awaitCompletion(stack.api, campaignId, { timeoutMs: 60_000 });
    expect(outcome.status).toBe('complete');

    const ids = contacts.map((c) => c.id);
    const results = await poll('a result for every contact', async () => {
      const r = await latest(L, ids);
      return ids.every((id) => r[id]?.sms) ? r : undefined;
    });
    expect(Object.fromEntries(ids.map((id) => [id, [results[id].sms.outcome, results[id].sms.reason ?? null, results[id].sms.campaignId]]))).toEqual({
      r1: ['accepted', null, campaignId],
      r2: ['skipped', 'invalid-address', campaignId],
      r3: ['skipped', 'dnc', campaignId],
      r4: ['skipped', 'suppressed', campaignId],
      r5: ['failed', 'render-failed', campaignId],
    });
    expect(results['r3'].sms.dncListId).toBe(dncListId);
    expect(results['r1'].email).toBeUndefined();
    // A contact added after the run has no result (and the completed campaign does not send it).
    expect((await http('POST', `${LISTS}/${L}/contacts`, [{ id: 'r6', data: { firstName: 'Fay', phone: '+12025550106', appointment: '1:00' } }])).status).toBe(200);

    // The export: the list's columns, then the last SMS and email attempt per contact.
    const rows = await exportCsv(L);
    expect(rows[0]).toEqual([
      'inin-outbound-id', 'firstName', 'phone', 'appointment', 'email',
      'lastSmsAttemptTime', 'lastSmsCampaign', 'lastSmsOutcome', 'lastEmailAttemptTime', 'lastEmailCampaign', 'lastEmailOutcome',
    ]);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(rows).toHaveLength(7);
    const at = (id: string) => results[id].sms.attemptedAt as string;
    expect(byId.get('r1')).toEqual(['r1', "'=SUM(1+1)", "'+12025550101", '9:00', 'ada@example.com', at('r1'), campaignId, 'messaged', '', '', '']);
    expect(byId.get('r2')).toEqual(['r2', 'Bob', '', '10:00', '', at('r2'), campaignId, 'skipped: invalid address', '', '', '']);
    expect(byId.get('r3')).toEqual(['r3', "'-Cy", `'${DNC_PHONE}`, '11:00', '', at('r3'), campaignId, `skipped: DNC (list ${dncListId})`, '', '', '']);
    expect(byId.get('r4')).toEqual(['r4', "'@Di", `'${SUPPRESSED_PHONE}`, '12:00', '', at('r4'), campaignId, 'skipped: opted out', '', '', '']);
    expect(byId.get('r5')).toEqual(['r5', 'Eve', "'+12025550105", '', '', at('r5'), campaignId, 'failed: render-failed', '', '', '']);
    expect(byId.get('r6')).toEqual(['r6', 'Fay', "'+12025550106", '1:00', '', '', '', '', '', '', '']);
    expect(new Date(at('r1')).getTime()).toBeGreaterThan(Date.now() - 120_000);

    // A delivery receipt naming only the message updates that message's outcome.
    const r1Message = results['r1'].sms.messageId as string;
    await produceResult(r1Message, { messageId: r1Message, channel: 'sms', outcome: 'delivered', division: 'home', occurredAt: new Date().toISOString() });
    await poll('the receipt to be applied', async () => ((await latest(L, ['r1']))['r1']?.sms.outcome === 'delivered' ? true : undefined));
    // An older attempt arriving late does not overwrite it; a newer one for another contact applies.
    // Same key, so same partition: once the second is applied, the first was handled.
    const older = new Date(Date.now() - 3_600_000).toISOString();
    await produceResult('late', { messageId: randomUUID(), channel: 'sms', outcome: 'skipped', reason: 'suppressed', division: 'home', contactListId: L, contactId: 'r1', occurredAt: older });
    await produceResult('late', { messageId: randomUUID(), channel: 'sms', outcome: 'failed', reason: 'template-not-found', division: 'home', contactListId: L, contactId: 'r6', occurredAt: new Date().toISOString() });
    const after = await poll('the newer result to be applied', async () => {
      const r = await latest(L, ['r1', 'r6']);
      return r['r6']?.sms ? r : undefined;
    });
    expect(after['r1'].sms.outcome).toBe('delivered');
    expect(after['r1'].sms.attemptedAt).toBe(at('r1')); // still the attempt's time
    expect(after['r6'].sms.description).toBe('failed: template-not-found');
    const again = new Map((await exportCsv(L)).slice(1).map((r) => [r[0], r]));
    expect(again.get('r1')![7]).toBe('delivered');
    expect(again.get('r6')![7]).toBe('failed: template-not-found');

    // Several results for one contact in one batch, some of them twice: the newest attempt wins,
    // its receipt applies to it, the attempt time stays the attempt's; replaying changes nothing.
    const t = (agoMs: number) => new Date(Date.now() - agoMs).toISOString();
    const [x, y] = [randomUUID(), randomUUID()];
    const ref = { channel: 'sms', division: 'home', contactListId: L, contactId: 'r2' };
    const burst = [
      { ...ref, messageId: y, outcome: 'accepted', occurredAt: t(3_600_000) },
      { ...ref, messageId: x, outcome: 'accepted', occurredAt: t(-1_000) }, // newer than the campaign's skip of r2
      { ...ref, messageId: x, outcome: 'delivered', occurredAt: t(-2_000) },
      { ...ref, messageId: y, outcome: 'delivered', occurredAt: t(-3_000) },
    ];
    await produceResult('burst', ...burst, ...burst);
    const r2 = await poll('the burst to be applied', async () => {
      const r = (await latest(L, ['r2']))['r2']?.sms;
      return r?.messageId === x && r.outcome === 'delivered' ? r : undefined;
    });
    expect(r2.attemptedAt).toBe(burst[1]!.occurredAt);
    await produceResult('burst', ...burst, { messageId: randomUUID(), channel: 'sms', outcome: 'accepted', division: 'home', contactListId: L, contactId: 'r6', occurredAt: t(-4_000) });
    await poll('the replay to be handled', async () => ((await latest(L, ['r6']))['r6']?.sms.outcome === 'accepted' ? true : undefined));
    expect((await latest(L, ['r2']))['r2'].sms).toEqual(r2);

    // clearSystemData forgets a re-added contact's results; without it they stay.
    expect((await http('POST', `${LISTS}/${L}/contacts?clearSystemData=true`, [contacts[0]])).status).toBe(200);
    expect((await http('POST', `${LISTS}/${L}/contacts`, [contacts[2]])).status).toBe(200);
    const cleared = await latest(L, ['r1', 'r3']);
    expect(cleared['r1']).toBeUndefined();
    expect(cleared['r3'].sms.outcome).toBe('skipped');
  });

  it('answers 404 for the export of a list before one was requested, and for an unknown list', async () => {
    const list = await createList({ columnNames: ['a'] });
    expect((await http('GET', `${LISTS}/${list.id}/export`)).status).toBe(404);
    expect((await http('GET', `${LISTS}/${list.id}/export/download`)).status).toBe(404);
    expect((await http('POST', `${LISTS}/${randomUUID()}/export`)).status).toBe(404);
    expect((await http('POST', `${LISTS}/${list.id}/export`)).status).toBe(200);
    const redirect = await http('GET', `${LISTS}/${list.id}/export?download=true`);
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(`${edge}${LISTS}/${list.id}/export/download`);
    const empty = await http('GET', redirect.headers.get('location')!);
    expect(parse(empty.text)).toEqual([['inin-outbound-id', 'a', 'lastSmsAttemptTime', 'lastSmsCampaign', 'lastSmsOutcome', 'lastEmailAttemptTime', 'lastEmailCampaign', 'lastEmailOutcome']]);
  });
});
