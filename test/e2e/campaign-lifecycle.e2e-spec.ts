// Messaging campaigns on the real stack: contact sorts and filters decide who is messaged and in
// what order; `invalid` with its errors; one running campaign per sender number; off → stopping →
// off and a resume with no duplicate and no gap; a service restart mid-campaign; recycling;
// progress, bulk progress and the progress event stream through the edge.
import { randomUUID } from 'node:crypto';
import { acceptedBySimulator, readTopic, startTestStack, TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 24080, extraEnv: { campaigns: { PROGRESS_STREAM_HEARTBEAT_MS: '1000' } } });
});

afterAll(async () => {
  await stack?.close();
});

const CAMPAIGNS = '/api/v2/outbound/messagingcampaigns';
const LISTS = '/api/v2/outbound/contactlists';
const FILTERS = '/api/v2/outbound/contactlistfilters';
const NUMBERS = '/api/v2/routing/sms/phonenumbers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await stack.fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ok(method: string, path: string, body?: unknown): Promise<Json> {
  const r = await http(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

let senderSeq = 0;
/** A sender number of its own for each campaign that needs one (provisioned unless `provision` is false). */
async function sender(provision = true): Promise<string> {
  const phoneNumber = `+1555010${String(1000 + senderSeq++)}`;
  if (provision) await ok('POST', NUMBERS, { phoneNumber, phoneNumberType: 'local', countryCode: 'US' });
  return phoneNumber;
}

interface ContactRow {
  id: string;
  data: Record<string, string>;
}

/** `n` contacts c000…, phone numbers +1202555<base + i> (base + n at most 10,000). */
function contacts(n: number, base: number): ContactRow[] {
  return Array.from({ length: n }, (_, i) => ({ id: `c${String(i).padStart(3, '0')}`, data: { name: `N${i}`, phone: `+1202555${String(base + i).padStart(4, '0')}` } }));
}

async function listWith(rows: ContactRow[], columnNames = ['name', 'phone']): Promise<string> {
  const list = await ok('POST', LISTS, { name: `list ${randomUUID()}`, columnNames, phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
  if (rows.length) await ok('POST', `${LISTS}/${list.id}/contacts`, rows);
  return list.id;
}

async function template(content = 'Hello {{name}}', substitutions: { id: string; defaultValue?: string }[] = [{ id: 'name' }]): Promise<string> {
  const t = await ok('POST', '/api/v2/responsemanagement/responses', { name: `tpl ${randomUUID()}`, libraries: [{ id: 'e2e' }], texts: [{ content, contentType: 'text/plain' }], substitutions });
  return t.id;
}

function campaignBody(listId: string, templateId: string, from: string, extra: Record<string, unknown> = {}) {
  return {
    name: `campaign ${randomUUID()}`,
    contactList: { id: listId },
    messagesPerMinute: 600_000,
    smsConfig: { phoneColumn: 'phone', messageColumn: '', senderSmsPhoneNumber: { phoneNumber: from }, contentTemplate: { id: templateId } },
    ...extra,
  };
}

async function setStatus(id: string, campaignStatus: string): Promise<{ status: number; body: Json }> {
  const current = await ok('GET', `${CAMPAIGNS}/${id}`);
  return http('PUT', `${CAMPAIGNS}/${id}`, { ...current, campaignStatus });
}

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const statusOf = async (id: string): Promise<string> => (await ok('GET', `${CAMPAIGNS}/${id}`)).campaignStatus;
const progressOf = (id: string): Promise<Json> => ok('GET', `${CAMPAIGNS}/${id}/progress`);
const untilStatus = (id: string, status: string, timeoutMs = 60_000) => poll(() => statusOf(id), (s) => s === status, timeoutMs, `campaign ${id} ${status}`);
/** What the SMS simulator accepted from one sender, in the order it accepted them. */
const sentFrom = (from: string) => acceptedBySimulator(stack).filter((m) => (m as { origination?: string }).origination === from);

describe('contact sorts and filters', () => {
  it('messages only the contacts the filter matches, priority first, then by the sorts (numeric and text), then insertion order', async () => {
    const rows: ContactRow[] = [
      { id: 'a', data: { name: 'Ann', phone: '+12025550001', balance: '25', tier: 'Gold' } },
      { id: 'b', data: { name: 'Bob', phone: '+12025550002', balance: '1000', tier: 'silver' } },
      { id: 'c', data: { name: 'Cid', phone: '+12025550003', balance: '9', tier: 'Gold' } }, // balance < 10: out
      { id: 'd', data: { name: 'Dee', phone: '+12025550004', balance: '25', tier: 'Silverish' } }, // ties with a, after it by name
      { id: 'e', data: { name: 'Eve', phone: '+12025550005', balance: '300', tier: 'bronze' } }, // tier: out
      { id: 'f', data: { name: '', phone: '+12025550006', balance: '500', tier: 'gold' } }, // empty name: out
      { id: 'g', data: { name: 'Gus', phone: '+12025550007', balance: 'n/a', tier: 'GOLD' } }, // not a number: out (>= 10 fails)
      { id: 'h', data: { name: 'Hal', phone: '+12025550008', balance: '100', tier: 'Gold' } },
    ];
    const listId = await listWith(rows, ['name', 'phone', 'balance', 'tier']);
    // A priority contact that the filter matches goes first whatever its balance.
    await ok('POST', `${LISTS}/${listId}/contacts?priority=true`, [{ id: 'p', data: { name: 'Pri', phone: '+12025550009', balance: '11', tier: 'gold' } }]);
    const filter = await ok('POST', FILTERS, {
      name: `filter ${randomUUID()}`,
      contactList: { id: listId },
      filterType: 'AND',
      clauses: [
        {
          filterType: 'OR',
          predicates: [
            { column: 'tier', columnType: 'alphabetic', operator: 'EQUALS', value: 'gold' },
            { column: 'tier', columnType: 'alphabetic', operator: 'BEGINS_WITH', value: 'SIL' },
          ],
        },
        {
          filterType: 'AND',
          predicates: [
            { column: 'balance', columnType: 'numeric', operator: 'GREATER_THAN_EQUALS', value: '10' },
            { column: 'name', columnType: 'alphabetic', operator: 'IS_EMPTY', inverted: true },
          ],
        },
      ],
    });
    expect(filter).toMatchObject({ contactList: { id: listId }, filterType: 'AND', clauses: [{ filterType: 'OR' }, { filterType: 'AND' }] });
    expect((await ok('GET', `${FILTERS}?contactListId=${listId}`)).entities.map((f: Json) => f.id)).toEqual([filter.id]);

    const from = await sender();
    const campaign = await ok(
      'POST',
      CAMPAIGNS,
      campaignBody(listId, await template(), from, {
        messagesPerMinute: 30, // one contact every two seconds: each dispatch event stands alone
        contactSorts: [
          { fieldName: 'balance', direction: 'DESC', numeric: true },
          { fieldName: 'name', direction: 'ASC', numeric: false },
        ],
        contactListFilters: [{ id: filter.id }],
      }),
    );
    expect(campaign).toMatchObject({ campaignStatus: 'off', errors: [], contactListFilters: [{ id: filter.id }], contactSorts: [{ fieldName: 'balance', direction: 'DESC', numeric: true }, { fieldName: 'name' }] });
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await untilStatus(campaign.id, 'complete', 60_000);

    // Who: the simulator's own log. In what order: the dispatch events, one every two seconds, by their time.
    const phoneOf = new Map([...rows, { id: 'p', data: { phone: '+12025550009' } }].map((r) => [r.data.phone, r.id]));
    expect(sentFrom(from).map((m) => phoneOf.get(m.destination)).sort()).toEqual(['a', 'b', 'd', 'h', 'p']);
    const dispatched = await readTopic<{ campaignId: string; contactId: string }>(
      stack,
      'herald.contact.dispatch.v1',
      (records) => records.filter((r) => (r.value as { campaignId?: string }).campaignId === campaign.id).length >= 5,
    );
    const order = dispatched
      .filter((r) => (r.value as { campaignId?: string }).campaignId === campaign.id)
      .sort((x, y) => Date.parse(x.event!.time) - Date.parse(y.event!.time))
      .map((r) => (r.value as { contactId: string }).contactId);
    expect(order).toEqual(['p', 'b', 'h', 'a', 'd']);
    const progress = await progressOf(campaign.id);
    expect(progress).toMatchObject({ totalNumberOfContacts: 5, numberOfContactsMessaged: 5, numberOfContactsSkipped: {}, percentage: 100 });
  });

  it('refuses unknown columns, too many sorts and bad operators with 400 naming the field', async () => {
    const listId = await listWith([], ['name', 'phone', 'balance']);
    const tpl = await template();
    const from = await sender();
    const unknownSort = await http('POST', CAMPAIGNS, campaignBody(listId, tpl, from, { contactSorts: [{ fieldName: 'nope', direction: 'ASC' }] }));
    expect(unknownSort.status).toBe(400);
    expect(unknownSort.body).toMatchObject({ code: 'campaign.contact.sort.column.unknown', details: [{ field: 'contactSorts[0].fieldName' }] });
    const five = await http('POST', CAMPAIGNS, campaignBody(listId, tpl, from, { contactSorts: Array.from({ length: 5 }, () => ({ fieldName: 'name' })) }));
    expect(five.status).toBe(400);
    expect(five.body.message).toMatch(/contactSorts: at most 4 sorts; got 5/);
    const direction = await http('POST', CAMPAIGNS, campaignBody(listId, tpl, from, { contactSorts: [{ fieldName: 'name', direction: 'UP' }] }));
    expect(direction.status).toBe(400);
    expect(direction.body.message).toMatch(/contactSorts\.0\.direction/);

    const filter = (predicate: Record<string, unknown>) => ({
      name: `f ${randomUUID()}`,
      contactList: { id: listId },
      clauses: [{ filterType: 'AND', predicates: [{ column: 'balance', columnType: 'numeric', operator: 'GREATER_THAN', value: '3', ...predicate }] }],
    });
    const badOperator = await http('POST', FILTERS, filter({ operator: 'LIKE' }));
    expect(badOperator.status).toBe(400);
    expect(badOperator.body.message).toMatch(/clauses\.0\.predicates\.0\.operator must be one of/);
    const badColumn = await http('POST', FILTERS, filter({ column: 'salary' }));
    expect(badColumn.status).toBe(400);
    expect(badColumn.body).toMatchObject({ code: 'contact.list.filter.invalid', details: [{ field: 'clauses[0].predicates[0].column' }] });
    const notANumber = await http('POST', FILTERS, filter({ value: 'ten' }));
    expect(notANumber.body).toMatchObject({ code: 'contact.list.filter.invalid', details: [{ field: 'clauses[0].predicates[0].value' }] });
    const textOnNumber = await http('POST', FILTERS, filter({ operator: 'CONTAINS' }));
    expect(textOnNumber.body).toMatchObject({ code: 'contact.list.filter.invalid', details: [{ field: 'clauses[0].predicates[0].operator' }] });

    // A campaign may only name filters of its own list.
    const otherList = await listWith([], ['name', 'phone', 'balance']);
    const other = await ok('POST', FILTERS, { ...filter({}), contactList: { id: otherList } });
    const mismatch = await http('POST', CAMPAIGNS, campaignBody(listId, tpl, from, { contactListFilters: [{ id: other.id }] }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ code: 'campaign.contact.list.filter.mismatch', details: [{ field: 'contactListFilters[0].id' }] });
  });
});

describe('invalid campaigns', () => {
  it('is invalid with one error per cause, cannot be turned on, and is valid again once fixed', async () => {
    const listId = await listWith(contacts(2, 100));
    const unprovisioned = await sender(false);
    const cases = [
      { body: campaignBody(listId, await template('Hi {{name}}, about {{account}}', [{ id: 'name' }, { id: 'account' }]), await sender()), error: 'campaign.template.column.missing', details: /uses \{\{account\}\}, which is not a column/ },
      { body: { ...campaignBody(listId, await template(), await sender()), smsConfig: { phoneColumn: 'mobile', messageColumn: '', senderSmsPhoneNumber: { phoneNumber: await sender() }, contentTemplate: { id: await template() } } }, error: 'campaign.phone.column.unknown', details: /phoneColumn "mobile" is not a column/ },
      { body: campaignBody(listId, await template(), unprovisioned), error: 'campaign.sender.unknown', details: /is not a provisioned SMS number/ },
      { body: { ...campaignBody(listId, await template(), await sender()), smsConfig: { phoneColumn: 'phone', messageColumn: 'text', senderSmsPhoneNumber: { phoneNumber: await sender() } } }, error: 'campaign.message.column.unknown', details: /messageColumn "text" is not a column/ },
    ];
    const ids: string[] = [];
    for (const c of cases) {
      const created = await ok('POST', CAMPAIGNS, c.body);
      ids.push(created.id);
      expect({ error: c.error, status: created.campaignStatus }).toEqual({ error: c.error, status: 'invalid' });
      expect(created.errors).toHaveLength(1);
      expect(created.errors[0].error).toBe(c.error);
      expect(created.errors[0].details).toMatch(c.details);
      const on = await setStatus(created.id, 'on');
      expect(on.status).toBe(409);
      expect(on.body).toMatchObject({ code: 'campaign.invalid', details: [{ error: c.error }] });
      expect(await statusOf(created.id)).toBe('invalid');
      // Asking for `on` straight away at creation is refused too, and nothing is created.
      const direct = await http('POST', CAMPAIGNS, { ...c.body, name: `${c.body.name} on`, campaignStatus: 'on' });
      expect(direct.status).toBe(409);
    }
    // A default value makes the template's column optional; a provisioned sender is known.
    const withDefault = await ok('POST', CAMPAIGNS, campaignBody(listId, await template('Hi {{name}} {{account}}', [{ id: 'name' }, { id: 'account', defaultValue: '-' }]), await sender()));
    expect(withDefault).toMatchObject({ campaignStatus: 'off', errors: [] });
    // Re-evaluated on save: provisioning the sender, then saving, makes the third campaign valid.
    await ok('POST', NUMBERS, { phoneNumber: unprovisioned, phoneNumberType: 'local', countryCode: 'US' });
    const third = await ok('GET', `${CAMPAIGNS}/${ids[2]}`);
    expect(third.campaignStatus).toBe('invalid'); // nothing changes until it is saved
    const on = await http('PUT', `${CAMPAIGNS}/${third.id}`, { ...third, campaignStatus: 'on' });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ campaignStatus: 'on', errors: [] });
    await untilStatus(third.id, 'complete');
  });
});

describe('SMS sender numbers', () => {
  it('provisions, lists by phoneNumber, gets and deletes a number through the edge', async () => {
    const phoneNumber = await sender();
    const again = await http('POST', NUMBERS, { phoneNumber, phoneNumberType: 'local', countryCode: 'US' });
    expect(again.status).toBe(409);
    const bad = await http('POST', NUMBERS, { phoneNumber: '555-0100', phoneNumberType: 'local', countryCode: 'US' });
    expect(bad.status).toBe(400);
    const listed = await ok('GET', `${NUMBERS}?phoneNumber=${encodeURIComponent(phoneNumber)}`);
    expect(listed.entities).toHaveLength(1);
    expect(listed.entities[0]).toMatchObject({ phoneNumber, phoneNumberType: 'local', countryCode: 'US', phoneNumberStatus: 'active' });
    const id = listed.entities[0].id;
    expect((await ok('GET', `${NUMBERS}/${id}`)).phoneNumber).toBe(phoneNumber);
    expect((await ok('GET', `${NUMBERS}?phoneNumber=${phoneNumber.slice(-6)}`)).entities.map((n: Json) => n.phoneNumber)).toContain(phoneNumber);
    expect((await http('DELETE', `${NUMBERS}/${id}`)).status).toBe(204);
    expect((await ok('GET', `${NUMBERS}?phoneNumber=${encodeURIComponent(phoneNumber)}`)).entities).toHaveLength(0);
    expect((await http('GET', `${NUMBERS}/${id}`)).status).toBe(404);
  });
});

describe('lifecycle', () => {
  it('one sender serves one running campaign; off stops within a second via stopping; on resumes with no duplicate and no gap', async () => {
    const n = 40;
    const listId = await listWith(contacts(n, 2_000));
    const tpl = await template();
    const from = await sender();
    const first = await ok('POST', CAMPAIGNS, campaignBody(listId, tpl, from, { messagesPerMinute: 600 })); // 10 a second
    const second = await ok('POST', CAMPAIGNS, campaignBody(await listWith(contacts(3, 3_000)), tpl, from));
    expect((await setStatus(first.id, 'on')).status).toBe(200);

    const refused = await setStatus(second.id, 'on');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'campaign.sender.in.use', details: [{ field: 'smsConfig.senderSmsPhoneNumber', entityId: first.id }] });
    expect(refused.body.message).toContain(from);

    const beforeOff = await poll(() => Promise.resolve(sentFrom(from).length), (k) => k >= 8, 30_000, 'eight messages');
    const off = await setStatus(first.id, 'off');
    expect(off.status).toBe(200);
    expect(off.body.campaignStatus).toBe('stopping');
    await untilStatus(first.id, 'off', 15_000);
    const atOff = sentFrom(from).length;
    const progressAtOff = await progressOf(first.id);
    expect(atOff).toBeLessThan(n); // it really stopped mid-campaign
    expect(atOff - beforeOff).toBeLessThanOrEqual(12); // dispatching stopped within about a second (10 a second)
    expect(progressAtOff.numberOfContactsMessaged).toBe(atOff); // every message in flight finished before `off`
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sentFrom(from).length).toBe(atOff); // nothing more is sent while off

    // The sender is free now.
    expect((await setStatus(second.id, 'on')).status).toBe(200);
    await untilStatus(second.id, 'complete');
    expect((await setStatus(first.id, 'on')).status).toBe(200);
    await untilStatus(first.id, 'complete');
    const destinations = sentFrom(from).map((m) => m.destination);
    const firstList = contacts(n, 2_000).map((c) => c.data.phone);
    const sent = destinations.filter((d) => firstList.includes(d));
    expect(sent).toHaveLength(n); // none sent twice...
    expect(new Set(sent)).toEqual(new Set(firstList)); // ...and none skipped
    expect(await progressOf(first.id)).toMatchObject({ totalNumberOfContacts: n, numberOfContactsMessaged: n, percentage: 100 });
  });

  it('completes with no duplicate and no gap when contacts and campaigns restart mid-campaign', async () => {
    const n = 200;
    const listId = await listWith(contacts(n, 4_000));
    const from = await sender();
    const campaign = await ok('POST', CAMPAIGNS, campaignBody(listId, await template(), from, { messagesPerMinute: 1_800 })); // 30 a second
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await poll(() => Promise.resolve(sentFrom(from).length), (k) => k >= 20, 30_000, 'twenty messages');
    await stack.supervisor.stop('contacts', 'SIGKILL');
    await stack.supervisor.restart('campaigns');
    expect(await statusOf(campaign.id)).toBe('on'); // the status survived the restart
    expect(sentFrom(from).length).toBeLessThan(n);
    stack.supervisor.start('contacts');
    await stack.supervisor.waitReady('contacts');
    await untilStatus(campaign.id, 'complete', 120_000);
    const sent = sentFrom(from).map((m) => m.destination);
    expect(sent).toHaveLength(n);
    expect(new Set(sent).size).toBe(n);
  });

  it('recycles a complete campaign: a new run messages everyone again under new message ids', async () => {
    const listId = await listWith(contacts(5, 5_000));
    const from = await sender();
    const campaign = await ok('POST', CAMPAIGNS, campaignBody(listId, await template(), from));
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await untilStatus(campaign.id, 'complete');
    const firstRun = sentFrom(from).map((m) => m.context?.['heraldMessageId']);
    expect(firstRun).toHaveLength(5);
    expect((await http('DELETE', `${CAMPAIGNS}/${campaign.id}/progress`)).status).toBe(202);
    expect(await statusOf(campaign.id)).toBe('off');
    expect(await progressOf(campaign.id)).toMatchObject({ numberOfContactsMessaged: 0, percentage: 0 });
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await untilStatus(campaign.id, 'complete');
    const all = sentFrom(from);
    expect(all).toHaveLength(10);
    const secondRun = all.slice(5).map((m) => m.context?.['heraldMessageId']);
    expect(new Set([...firstRun, ...secondRun]).size).toBe(10);
    expect(new Set(all.map((m) => m.destination)).size).toBe(5);
  });

  it('keeps an alwaysRunning campaign on and messages contacts as they are added', async () => {
    const listId = await listWith(contacts(3, 6_000));
    const from = await sender();
    const campaign = await ok('POST', CAMPAIGNS, campaignBody(listId, await template(), from, { alwaysRunning: true }));
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await poll(() => progressOf(campaign.id), (p) => p.numberOfContactsMessaged === 3, 30_000, 'three messaged');
    await ok('POST', `${LISTS}/${listId}/contacts`, [{ id: 'late', data: { name: 'Late', phone: '+12025556100' } }]);
    await poll(() => progressOf(campaign.id), (p) => p.numberOfContactsMessaged === 4 && p.totalNumberOfContacts === 4, 30_000, 'late contact messaged');
    expect(await statusOf(campaign.id)).toBe('on');
    expect(sentFrom(from).map((m) => m.destination)).toContain('+12025556100');
    expect((await setStatus(campaign.id, 'off')).status).toBe(200);
    await untilStatus(campaign.id, 'off', 15_000);
  });
});

describe('progress', () => {
  it('answers progress, bulk progress, and streams progress events with heartbeats through the edge', async () => {
    const n = 20;
    const from = await sender();
    const campaign = await ok('POST', CAMPAIGNS, campaignBody(await listWith(contacts(n, 7_000)), await template(), from, { messagesPerMinute: 300 })); // 5 a second
    const other = await ok('POST', CAMPAIGNS, campaignBody(await listWith(contacts(2, 7_100)), await template(), await sender()));

    const res = await stack.fetch(`${CAMPAIGNS}/${campaign.id}/progress/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const events: { event: string; data: Json }[] = [];
    let heartbeats = 0;
    let buffer = '';
    const readUntil = async (enough: () => boolean) => {
      while (!enough()) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += new TextDecoder().decode(value);
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(': heartbeat')) heartbeats++;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    };
    await readUntil(() => events.length >= 1);
    expect(events[0]).toMatchObject({ event: 'progress', data: { campaign: { id: campaign.id }, campaignStatus: 'off', numberOfContactsMessaged: 0 } });
    await readUntil(() => heartbeats >= 1); // nothing changes while off: heartbeats keep the line open
    expect((await setStatus(campaign.id, 'on')).status).toBe(200);
    await readUntil(() => events.some((e) => e.data.campaignStatus === 'complete' && e.data.percentage === 100));
    await reader.cancel();
    const messaged = events.map((e) => e.data.numberOfContactsMessaged as number);
    expect(events.length).toBeGreaterThanOrEqual(4); // off, on, some messaged on the way, complete
    expect(messaged.some((m) => m > 0 && m < n)).toBe(true); // events arrived while it ran, not only at the end
    expect([...messaged].sort((a, b) => a - b)).toEqual(messaged); // never goes back
    expect(events.at(-1)!.data).toMatchObject({ totalNumberOfContacts: n, numberOfContactsMessaged: n, percentage: 100 });

    const bulk = await ok('POST', `${CAMPAIGNS}/progress`, [campaign.id, other.id, randomUUID()]);
    expect(bulk.map((p: Json) => p.campaign.id).sort()).toEqual([campaign.id, other.id].sort());
    expect(bulk.find((p: Json) => p.campaign.id === campaign.id)).toMatchObject({ totalNumberOfContacts: n, numberOfContactsMessaged: n, percentage: 100 });
    expect((await http('POST', `${CAMPAIGNS}/progress`, ['not-an-id'])).status).toBe(400);
    expect((await http('GET', `${CAMPAIGNS}/${randomUUID()}/progress/stream`)).status).toBe(404);
  });
});
