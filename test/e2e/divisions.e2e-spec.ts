// Divisions end to end: the bootstrap admin (every division) makes two tenant divisions through
// the SDK's AuthorizationApi and a resource of every type in division Y; a client granted only
// division X then gets 404 for each of them (get, update, delete, sub-resources), exactly as for
// a missing id, lists only X's, cannot create into Y nor reference Y's resources, and cannot set
// what a client may not set (ids, counters, another division); the admin sees both. Real broker,
// real PostgreSQL, every service its own process.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import platformClient from 'purecloud-platform-client-v2';
import { urlOf } from '../../tools/stack/services';
import { startTestStack, TestStack } from './support/test-stack';

const DIVISIONS = '/api/v2/authorization/divisions';
const LISTS = '/api/v2/outbound/contactlists';
const FILTERS = '/api/v2/outbound/contactlistfilters';
const DNC = '/api/v2/outbound/dnclists';
const CAMPAIGNS = '/api/v2/outbound/messagingcampaigns';
const RESPONSES = '/api/v2/responsemanagement/responses';
const NUMBERS = '/api/v2/routing/sms/phonenumbers';
const DOMAINS = '/api/v2/routing/email/outbound/domains';
const CLIENTS = '/api/v2/oauth/clients';
const MESSAGES = '/api/v2/herald/messages';
const AGENTLESS = '/api/v2/conversations/messages/agentless';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let stack: TestStack;
let db: Client;
/** Division ids made by the admin. */
let X: string;
let Y: string;
/** Bearer tokens: the admin's (every division) and a client granted division X only. */
let admin: string;
let inX: string;
/** One resource of every type in division Y, made by the admin. */
const y = {} as { list: string; filter: string; dnc: string; template: string; number: string; numberId: string; domain: string; campaign: string; message: string };

async function http(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await stack.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Json = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // CSV and other non-JSON answers stay text.
  }
  return { status: res.status, body: parsed };
}

async function ok(token: string, method: string, path: string, body?: unknown): Promise<Json> {
  const r = await http(token, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function tokenFor(id: string, secret: string): Promise<string> {
  const res = await stack.fetch('/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A client with every permission, granted `divisionIds`, made by the admin; its token. */
async function clientIn(divisionIds: string[]): Promise<{ id: string; token: string }> {
  const c = await ok(admin, 'POST', CLIENTS, { name: `client in ${divisionIds.join(',')} ${randomUUID().slice(0, 6)}`, authorizedGrantType: 'CLIENT-CREDENTIALS', scope: ['*:*:*'], divisionIds });
  expect(c.divisionIds).toEqual(divisionIds);
  return { id: c.id, token: await tokenFor(c.id, c.secret) };
}

/** The error body without what differs between two requests (the id, the context id). */
function shape(body: Json, id: string) {
  return { ...body, contextId: undefined, message: String(body.message).replaceAll(id, '<id>'), details: JSON.parse(JSON.stringify(body.details ?? []).replaceAll(id, '<id>')) };
}

/**
 * `path` (naming another division's `id`) answers 404, with the very body `missing` (the same
 * path naming an id that does not exist) gets.
 */
async function absent(method: string, path: string, id: string, missingId: string, body?: unknown): Promise<void> {
  const hidden = await http(inX, method, path, body);
  const missing = await http(inX, method, path.replace(id, missingId), body);
  expect([method, path, hidden.status]).toEqual([method, path, 404]);
  expect(missing.status).toBe(404);
  expect(shape(hidden.body, id)).toEqual(shape(missing.body, missingId));
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  stack = await startTestStack({ portBase: 30080 });
  db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  admin = stack.accessToken;
  // The SDK's own AuthorizationApi, logged in as the bootstrap admin by startTestStack.
  const authorization = new platformClient.AuthorizationApi();
  X = (await authorization.postAuthorizationDivisions({ name: 'Tenant X', description: 'the first tenant' })).id!;
  Y = (await authorization.postAuthorizationDivisions({ name: 'Tenant Y', description: 'the second tenant' })).id!;
  inX = (await clientIn([X])).token;

  const inY = { division: { id: Y } };
  y.list = (await ok(admin, 'POST', LISTS, { name: 'y list', columnNames: ['name', 'phone', 'email'], phoneColumns: [{ columnName: 'phone', type: 'cell' }], ...inY })).id;
  await ok(admin, 'POST', `${LISTS}/${y.list}/contacts`, [{ id: 'c1', data: { name: 'Ada', phone: '+12025550101', email: 'ada@example.org' } }]);
  y.filter = (await ok(admin, 'POST', FILTERS, { name: 'y filter', contactList: { id: y.list }, clauses: [{ predicates: [{ column: 'name', columnType: 'alphabetic', operator: 'EQUALS', value: 'Ada' }] }] })).id;
  y.dnc = (await ok(admin, 'POST', DNC, { name: 'y dnc', dncSourceType: 'rds', contactMethod: 'Any', ...inY })).id;
  await ok(admin, 'POST', `${DNC}/${y.dnc}/phonenumbers`, ['+12025550199']);
  y.template = (await ok(admin, 'POST', RESPONSES, { name: 'y template', libraries: [{ id: 'y' }], texts: [{ content: 'Hi {{name}}' }], substitutions: [{ id: 'name', defaultValue: 'there' }], ...inY })).id;
  y.number = '+15555550777';
  y.numberId = (await ok(admin, 'POST', NUMBERS, { phoneNumber: y.number, phoneNumberType: 'local', countryCode: 'US', ...inY })).id;
  y.domain = 'y.example.com';
  await ok(admin, 'POST', DOMAINS, { id: y.domain, name: y.domain, ...inY });
  y.campaign = (
    await ok(admin, 'POST', CAMPAIGNS, {
      name: 'y campaign',
      contactList: { id: y.list },
      dncLists: [{ id: y.dnc }],
      contactListFilters: [{ id: y.filter }],
      messagesPerMinute: 60,
      smsConfig: { phoneColumn: 'phone', senderSmsPhoneNumber: { phoneNumber: y.number }, contentTemplate: { id: y.template } },
      ...inY,
    })
  ).id;
  const sent = await http(admin, 'POST', AGENTLESS, { fromAddress: y.number, toAddress: '+12025550142', toAddressMessengerType: 'sms', textBody: 'Your code is 1234' });
  expect(sent.status).toBe(202);
  expect(sent.body.division).toEqual({ id: Y, selfUri: `${DIVISIONS}/${Y}` });
  y.message = sent.body.id;
  // The message has its outcome (with the sender's division) once reporting has it.
  const outcome = await poll('the agentless message in reporting', async () => {
    const r = await http(admin, 'GET', `${MESSAGES}/${y.message}`);
    return r.status === 200 ? r.body : undefined;
  });
  expect(outcome.division.id).toBe(Y);
}, 300_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('a client granted division X', () => {
  it('gets 404 for every resource of division Y, exactly as for a missing id', async () => {
    const none = randomUUID();
    for (const [path, id] of [
      [`${LISTS}/${y.list}`, y.list],
      [`${FILTERS}/${y.filter}`, y.filter],
      [`${DNC}/${y.dnc}`, y.dnc],
      [`${CAMPAIGNS}/${y.campaign}`, y.campaign],
      [`${RESPONSES}/${y.template}`, y.template],
      [`${NUMBERS}/${y.numberId}`, y.numberId],
      [`${MESSAGES}/${y.message}`, y.message],
      [`${DIVISIONS}/${Y}`, Y],
    ] as const) {
      await absent('GET', path, id, none);
    }
    await absent('GET', `${DOMAINS}/${y.domain}`, y.domain, 'nothing.example.com');
  });

  it('gets 404 for their sub-resources: contacts, entries, imports, exports, progress, previews', async () => {
    const none = randomUUID();
    const contact = [{ data: { name: 'Eve', phone: '+12025550102' } }];
    for (const [method, path, body] of [
      ['GET', `${LISTS}/${y.list}/contacts/c1`],
      ['PUT', `${LISTS}/${y.list}/contacts/c1`, contact[0]],
      ['DELETE', `${LISTS}/${y.list}/contacts/c1`],
      ['POST', `${LISTS}/${y.list}/contacts`, contact],
      ['POST', `${LISTS}/${y.list}/contacts/bulk`, ['c1']],
      ['POST', `${LISTS}/${y.list}/export`],
      ['GET', `${LISTS}/${y.list}/export`],
      ['GET', `${LISTS}/${y.list}/imports/${randomUUID()}`],
      ['POST', `${DNC}/${y.dnc}/phonenumbers`, ['+12025550198']],
      ['PATCH', `${DNC}/${y.dnc}/phonenumbers`, { action: 'Remove', phoneNumbers: ['+12025550199'] }],
      ['DELETE', `${DNC}/${y.dnc}/phonenumbers`],
      ['GET', `${DNC}/${y.dnc}/importstatus`],
      ['POST', `${DNC}/${y.dnc}/export`],
      ['GET', `${CAMPAIGNS}/${y.campaign}/progress`],
      ['GET', `${CAMPAIGNS}/${y.campaign}/progress/stream`],
      ['DELETE', `${CAMPAIGNS}/${y.campaign}/progress`],
      ['POST', `${CAMPAIGNS}/${y.campaign}/previews`],
    ] as [string, string, unknown?][]) {
      await absent(method, path, path.includes(y.list) ? y.list : path.includes(y.dnc) ? y.dnc : y.campaign, none, body);
    }
    // Bulk progress leaves Y's campaign out, as it does an unknown id.
    expect(await ok(inX, 'POST', `${CAMPAIGNS}/progress`, [y.campaign])).toEqual([]);
    // Nothing changed in Y.
    expect((await ok(admin, 'POST', `${LISTS}/${y.list}/contacts/bulk`, ['c1', 'c2'])).map((c: Json) => c.id)).toEqual(['c1']);
    expect(await ok(admin, 'GET', `${DNC}/${y.dnc}?includeSize=true`)).toMatchObject({ size: 1 });
  });

  it('gets 404 for updating or deleting them, and they stay as they were', async () => {
    const none = randomUUID();
    const list = await ok(admin, 'GET', `${LISTS}/${y.list}`);
    const filter = await ok(admin, 'GET', `${FILTERS}/${y.filter}`);
    const dnc = await ok(admin, 'GET', `${DNC}/${y.dnc}`);
    const campaign = await ok(admin, 'GET', `${CAMPAIGNS}/${y.campaign}`);
    const template = await ok(admin, 'GET', `${RESPONSES}/${y.template}`);
    for (const [path, id, body] of [
      [`${LISTS}/${y.list}`, y.list, { ...list, name: 'taken over' }],
      [`${FILTERS}/${y.filter}`, y.filter, { ...filter, name: 'taken over' }],
      [`${DNC}/${y.dnc}`, y.dnc, { ...dnc, name: 'taken over' }],
      [`${CAMPAIGNS}/${y.campaign}`, y.campaign, { ...campaign, name: 'taken over' }],
      [`${RESPONSES}/${y.template}`, y.template, { ...template, name: 'taken over' }],
      [`${DIVISIONS}/${Y}`, Y, { name: 'taken over' }],
    ] as const) {
      await absent('PUT', path, id, none, body);
    }
    for (const [path, id] of [
      [`${LISTS}/${y.list}`, y.list],
      [`${FILTERS}/${y.filter}`, y.filter],
      [`${DNC}/${y.dnc}`, y.dnc],
      [`${CAMPAIGNS}/${y.campaign}`, y.campaign],
      [`${RESPONSES}/${y.template}`, y.template],
      [`${NUMBERS}/${y.numberId}`, y.numberId],
      [`${DIVISIONS}/${Y}`, Y],
    ] as const) {
      await absent('DELETE', path, id, none);
    }
    await absent('DELETE', `${DOMAINS}/${y.domain}`, y.domain, 'nothing.example.com');
    for (const path of [`${LISTS}/${y.list}`, `${FILTERS}/${y.filter}`, `${DNC}/${y.dnc}`, `${CAMPAIGNS}/${y.campaign}`, `${RESPONSES}/${y.template}`, `${NUMBERS}/${y.numberId}`, `${DOMAINS}/${y.domain}`]) {
      const r = await http(admin, 'GET', path);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.body.name).not.toBe('taken over');
    }
    expect((await ok(admin, 'GET', `${DIVISIONS}/${Y}`)).name).toBe('Tenant Y');
  });

  it('creates into X by default, cannot create into Y, and lists only X', async () => {
    const list = await ok(inX, 'POST', LISTS, { name: 'x list', columnNames: ['phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
    expect(list.division).toEqual({ id: X, selfUri: `${DIVISIONS}/${X}` });
    for (const [path, body] of [
      [LISTS, { name: 'into y', columnNames: ['phone'] }],
      [DNC, { name: 'into y', dncSourceType: 'rds' }],
      [RESPONSES, { name: 'into y', libraries: [{ id: 'x' }], texts: [{ content: 'hi' }] }],
      [NUMBERS, { phoneNumber: '+15555550888', phoneNumberType: 'local', countryCode: 'US' }],
      [DOMAINS, { id: 'into-y.example.com' }],
      [CAMPAIGNS, { name: 'into y', contactList: { id: list.id }, messagesPerMinute: 60, smsConfig: { phoneColumn: 'phone', messageColumn: 'phone', senderSmsPhoneNumber: { phoneNumber: '+15555550888' } } }],
    ] as const) {
      for (const division of [Y, randomUUID()]) {
        const r = await http(inX, 'POST', path, { ...body, division: { id: division } });
        expect([path, r.status, r.body.code]).toEqual([path, 403, 'division.not.granted']);
      }
    }
    // The home division is not X's either.
    expect((await http(inX, 'POST', DNC, { name: 'into home', dncSourceType: 'rds', division: { id: 'home' } })).status).toBe(403);
    // Moving X's list into Y is refused, and it stays in X.
    const moved = await http(inX, 'PUT', `${LISTS}/${list.id}`, { ...list, division: { id: Y } });
    expect([moved.status, moved.body.code]).toEqual([403, 'division.not.granted']);
    expect((await ok(inX, 'GET', `${LISTS}/${list.id}`)).division.id).toBe(X);

    for (const path of [LISTS, FILTERS, DNC, CAMPAIGNS, RESPONSES, NUMBERS, DOMAINS]) {
      const listing = await ok(inX, 'GET', `${path}?pageSize=100`);
      expect([path, listing.entities.filter((e: Json) => e.division && e.division.id !== X)]).toEqual([path, []]);
      const filtered = await ok(inX, 'GET', `${path}?divisionId=${Y}`);
      expect([path, filtered.total]).toEqual([path, 0]);
    }
    const mine = await ok(inX, 'GET', `${LISTS}?pageSize=100`);
    expect(mine.entities.map((e: Json) => e.id)).toEqual([list.id]);
    const divisions = await ok(inX, 'GET', DIVISIONS);
    expect(divisions.entities.map((d: Json) => d.id)).toEqual([X]);
  });

  it("cannot reference division Y's resources: a campaign or an agentless message naming them finds nothing", async () => {
    const list = await ok(inX, 'POST', LISTS, { name: 'x list 2', columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
    const number = '+15555550999';
    await ok(inX, 'POST', NUMBERS, { phoneNumber: number, phoneNumberType: 'local', countryCode: 'US' });
    const sms = { phoneColumn: 'phone', senderSmsPhoneNumber: { phoneNumber: number }, contentTemplate: { id: y.template } };
    const base = { name: `x campaign ${randomUUID().slice(0, 6)}`, contactList: { id: list.id }, messagesPerMinute: 60 };

    const yList = await http(inX, 'POST', CAMPAIGNS, { ...base, contactList: { id: y.list }, smsConfig: { ...sms, messageColumn: 'name', contentTemplate: undefined } });
    expect([yList.status, yList.body.code]).toEqual([400, 'campaign.contact.list.not.found']);
    const yTemplate = await http(inX, 'POST', CAMPAIGNS, { ...base, smsConfig: sms });
    expect([yTemplate.status, yTemplate.body.code]).toEqual([400, 'campaign.template.not.found']);
    const yDnc = await http(inX, 'POST', CAMPAIGNS, { ...base, dncLists: [{ id: y.dnc }], smsConfig: { ...sms, messageColumn: 'name', contentTemplate: undefined } });
    expect([yDnc.status, yDnc.body.code]).toEqual([400, 'campaign.dnc.list.not.found']);
    const yFilter = await http(inX, 'POST', CAMPAIGNS, { ...base, contactListFilters: [{ id: y.filter }], smsConfig: { ...sms, messageColumn: 'name', contentTemplate: undefined } });
    expect([yFilter.status, yFilter.body.code]).toEqual([400, 'campaign.contact.list.filter.not.found']);
    // Y's sender number is not provisioned as far as X can tell: the campaign is invalid.
    const ySender = await ok(inX, 'POST', CAMPAIGNS, { ...base, smsConfig: { ...sms, messageColumn: 'name', contentTemplate: undefined, senderSmsPhoneNumber: { phoneNumber: y.number } } });
    expect(ySender.campaignStatus).toBe('invalid');
    expect(JSON.stringify(ySender.errors)).toContain(y.number);
    // Y's sending domain is not provisioned as far as X can tell either.
    const emailTemplate = await ok(inX, 'POST', RESPONSES, {
      name: 'x email template',
      libraries: [{ id: 'x' }],
      responseType: 'CampaignEmailTemplate',
      texts: [
        { type: 'subject', contentType: 'text/plain', content: 'News' },
        { type: 'body', contentType: 'text/plain', content: 'Hello {{name}}' },
      ],
    });
    const email = await ok(inX, 'POST', CAMPAIGNS, {
      ...base,
      name: `x email ${randomUUID().slice(0, 6)}`,
      emailConfig: { emailColumns: ['name'], contentTemplate: { id: emailTemplate.id }, fromAddress: { domain: { id: y.domain }, localPart: 'news' } },
    });
    expect(email.campaignStatus).toBe('invalid');
    expect(email.errors.map((e: Json) => e.error)).toContain('campaign.email.domain.not.provisioned');

    const fromY = await http(inX, 'POST', AGENTLESS, { fromAddress: y.number, toAddress: '+12025550143', toAddressMessengerType: 'sms', textBody: 'hello' });
    expect([fromY.status, fromY.body.code]).toEqual([400, 'sender.not.provisioned']);
    const yTemplateMessage = await http(inX, 'POST', AGENTLESS, { fromAddress: number, toAddress: '+12025550143', toAddressMessengerType: 'sms', messagingTemplate: { responseId: y.template } });
    expect([yTemplateMessage.status, yTemplateMessage.body.code]).toEqual([400, 'template.not.found']);
    const fromX = await http(inX, 'POST', AGENTLESS, { fromAddress: number, toAddress: '+12025550143', toAddressMessengerType: 'sms', textBody: 'hello' });
    expect(fromX.status).toBe(202);
    expect(fromX.body.division.id).toBe(X);
  });

  it("an Idempotency-Key is the caller's own: another client's equal key sends its own message and learns nothing of the first", async () => {
    const number = '+15555550998';
    await ok(inX, 'POST', NUMBERS, { phoneNumber: number, phoneNumberType: 'local', countryCode: 'US' });
    const key = `order-${randomUUID()}`;
    const send = (token: string, textBody: string) =>
      stack.fetch(AGENTLESS, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ fromAddress: number, toAddress: '+12025550144', toAddressMessengerType: 'sms', textBody }),
      });
    const first = await send(inX, 'Your code is 1111');
    expect(first.status).toBe(202);
    const firstId = ((await first.json()) as Json).id;
    // Another client of division X, same key, another request: not "key reused", a message of its own.
    const other = await send((await clientIn([X])).token, 'Your code is 2222');
    expect(other.status).toBe(202);
    const otherId = ((await other.json()) as Json).id;
    expect(otherId).not.toBe(firstId);
    // The first client's retry still gets its own first answer.
    const retry = await send(inX, 'Your code is 1111');
    expect([retry.status, ((await retry.json()) as Json).id]).toEqual([202, firstId]);
  });

  it("cannot preview division Y's template through the templates service's internal preview: it renders as missing", async () => {
    const preview = async (token: string) => {
      const res = await fetch(`${urlOf(stack.settings, 'templates')}/internal/rendering/sms-preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ templateId: y.template, contacts: [{ name: 'Ada' }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json).outcomes[0];
    };
    expect(await preview(admin)).toMatchObject({ ok: true, encoding: 'GSM-7', segments: 1 });
    expect(await preview(inX)).toMatchObject({ ok: false, reason: 'template-not-found' });
  });

  it('sees only the OAuth clients within its divisions, and grants no division it does not hold', async () => {
    const bootstrap = stack.settings.bootstrapClient.id;
    expect((await http(inX, 'GET', `${CLIENTS}/${bootstrap}`)).status).toBe(404);
    const listing = await ok(inX, 'GET', `${CLIENTS}?pageSize=100`);
    expect(listing.entities.map((c: Json) => c.id)).not.toContain(bootstrap);
    expect(listing.entities.every((c: Json) => c.divisionIds.every((d: string) => d === X))).toBe(true);
    for (const divisionIds of [[Y], ['*'], [X, Y]]) {
      const r = await http(inX, 'POST', CLIENTS, { name: 'escalation', authorizedGrantType: 'CLIENT-CREDENTIALS', scope: ['outbound:*:*'], divisionIds });
      expect([divisionIds, r.status, r.body.code]).toEqual([divisionIds, 403, 'oauth.client.division.not.held']);
    }
    const sub = await ok(inX, 'POST', CLIENTS, { name: 'x sub-client', authorizedGrantType: 'CLIENT-CREDENTIALS', scope: ['outbound:*:*'] });
    expect(sub.divisionIds).toEqual([X]);
    expect((await http(inX, 'POST', DIVISIONS, { name: 'Tenant Z' })).status).toBe(403);
  });
});

describe('the admin (every division)', () => {
  it('sees both divisions and filters by divisionId', async () => {
    const lists = await ok(admin, 'GET', `${LISTS}?pageSize=100`);
    const divisionsSeen = new Set(lists.entities.map((e: Json) => e.division.id));
    expect(divisionsSeen.has(X) && divisionsSeen.has(Y)).toBe(true);
    const onlyY = await ok(admin, 'GET', `${LISTS}?divisionId=${Y}`);
    expect(onlyY.entities.map((e: Json) => e.id)).toEqual([y.list]);
    const both = await ok(admin, 'GET', `${DIVISIONS}?pageSize=100`);
    expect(both.entities.map((d: Json) => d.id)).toEqual(expect.arrayContaining(['home', X, Y]));
    expect(both.entities[0]).toMatchObject({ id: 'home', homeDivision: true });
  });

  it('cannot delete the home division, nor one that holds resources; an empty one goes', async () => {
    const home = await http(admin, 'DELETE', `${DIVISIONS}/home`);
    expect([home.status, home.body.code]).toEqual([400, 'division.home.undeletable']);
    const counted = await ok(admin, 'GET', `${DIVISIONS}/${Y}?objectCount=true`);
    expect(counted.objectCounts).toMatchObject({ contactLists: 1, contactListFilters: 1, dncLists: 1, messagingCampaigns: 1, responses: 1, smsPhoneNumbers: 1, emailDomains: 1, oauthClients: 0 });
    const full = await http(admin, 'DELETE', `${DIVISIONS}/${Y}`);
    expect([full.status, full.body.code]).toEqual([409, 'division.not.empty']);
    const granted = await http(admin, 'DELETE', `${DIVISIONS}/${X}`);
    expect([granted.status, granted.body.code]).toEqual([409, 'division.not.empty']);
    const z = await ok(admin, 'POST', DIVISIONS, { name: 'Tenant Z' });
    expect((await http(admin, 'POST', DIVISIONS, { name: 'tenant z' })).status).toBe(409);
    expect((await http(admin, 'DELETE', `${DIVISIONS}/${z.id}`)).status).toBe(204);
    expect((await http(admin, 'GET', `${DIVISIONS}/${z.id}`)).status).toBe(404);
    // A division that does not exist cannot be written into, even by the admin.
    const ghost = await http(admin, 'POST', LISTS, { name: 'ghost', columnNames: ['phone'], division: { id: z.id } });
    expect([ghost.status, ghost.body.code]).toEqual([400, 'division.not.found']);
  });
});

describe('mass assignment', () => {
  it('read-only fields sent on create or update are ignored: ids, counters, dates, statuses', async () => {
    const forged = randomUUID();
    const list = await ok(inX, 'POST', LISTS, {
      id: forged,
      name: 'mass list',
      columnNames: ['phone'],
      version: 42,
      size: 1_000,
      dateCreated: '2001-01-01T00:00:00Z',
      importStatus: { state: 'SUCCEEDED', totalRecords: 9, completedRecords: 9, percentageComplete: 100 },
    });
    expect(list.id).not.toBe(forged);
    const [row] = (await db.query('SELECT id, division, version, date_created FROM contacts.contact_list WHERE name = $1', ['mass list'])).rows;
    expect(row).toMatchObject({ id: list.id, division: X, version: 1 });
    expect(new Date(row.date_created).getFullYear()).toBeGreaterThan(2001);
    expect((await db.query('SELECT count(*)::int AS n FROM contacts.contact_list WHERE id = $1', [forged])).rows[0].n).toBe(0);
    const read = await ok(inX, 'GET', `${LISTS}/${list.id}`);
    expect(read).toMatchObject({ size: 0, version: 1 });
    expect(read.importStatus).toBeUndefined();

    const template = await ok(inX, 'POST', RESPONSES, { id: forged, name: 'mass template', version: 7, libraries: [{ id: 'x' }], texts: [{ content: 'hi' }], variables: ['evil'] });
    const [t] = (await db.query('SELECT id, division, version FROM templates.response WHERE id = $1', [template.id])).rows;
    expect(t).toEqual({ id: template.id, division: X, version: 1 });
    expect(template.id).not.toBe(forged);

    const dnc = await ok(inX, 'POST', DNC, { id: forged, name: 'mass dnc', dncSourceType: 'rds', size: 99, version: 5 });
    const [d] = (await db.query('SELECT id, division, version, import_status FROM dnc.dnc_list WHERE id = $1', [dnc.id])).rows;
    expect(d).toEqual({ id: dnc.id, division: X, version: 1, import_status: null });

    const number = await ok(inX, 'POST', NUMBERS, { id: forged, phoneNumber: '+15555550444', phoneNumberType: 'local', countryCode: 'US' });
    const [n] = (await db.query('SELECT id, division, version FROM sms.phone_number WHERE phone_number = $1', ['+15555550444'])).rows;
    expect(n).toEqual({ id: number.id, division: X, version: 1 });
    expect(number.id).not.toBe(forged);

    const c = await ok(inX, 'POST', CLIENTS, { id: 'chosen-id', name: 'mass client', authorizedGrantType: 'CLIENT-CREDENTIALS', scope: ['outbound:*:view'], dateCreated: '2001-01-01T00:00:00Z' });
    expect(c.id).not.toBe('chosen-id');
    const [o] = (await db.query('SELECT divisions, date_created FROM edge.oauth_client WHERE id = $1', [c.id])).rows;
    expect(o.divisions).toEqual([X]);
    expect(new Date(o.date_created).getFullYear()).toBeGreaterThan(2001);
  });

  it('a campaign keeps its own status, errors, version and division whatever the body says', async () => {
    const list = await ok(inX, 'POST', LISTS, { name: 'mass campaign list', columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] });
    const number = '+15555550555';
    await ok(inX, 'POST', NUMBERS, { phoneNumber: number, phoneNumberType: 'local', countryCode: 'US' });
    const campaign = await ok(inX, 'POST', CAMPAIGNS, {
      id: randomUUID(),
      name: 'mass campaign',
      contactList: { id: list.id },
      messagesPerMinute: 60,
      version: 9,
      errors: [{ message: 'forged' }],
      dateCreated: '2001-01-01T00:00:00Z',
      smsConfig: { phoneColumn: 'phone', messageColumn: 'name', senderSmsPhoneNumber: { phoneNumber: number } },
    });
    expect(campaign).toMatchObject({ campaignStatus: 'off', version: 1, errors: [] });
    const refused = await http(inX, 'PUT', `${CAMPAIGNS}/${campaign.id}`, { ...campaign, division: { id: Y } });
    expect([refused.status, refused.body.code]).toEqual([403, 'division.not.granted']);
    const complete = await http(inX, 'PUT', `${CAMPAIGNS}/${campaign.id}`, { ...campaign, campaignStatus: 'complete' });
    expect([complete.status, complete.body.code]).toEqual([400, 'campaign.status.transition']);
    const [row] = (await db.query('SELECT division, status, version, errors FROM campaigns.messaging_campaign WHERE id = $1', [campaign.id])).rows;
    expect(row).toEqual({ division: X, status: 'off', version: 1, errors: [] });
  });

  it('a campaign renamed, or moved into a division, where its name is taken gets 409 and stays as it was', async () => {
    const list = await ok(admin, 'POST', LISTS, { name: 'rename list', columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }], division: { id: X } });
    const number = '+15555550556';
    await ok(admin, 'POST', NUMBERS, { phoneNumber: number, phoneNumberType: 'local', countryCode: 'US', division: { id: X } });
    const base = { contactList: { id: list.id }, messagesPerMinute: 60, smsConfig: { phoneColumn: 'phone', messageColumn: 'name', senderSmsPhoneNumber: { phoneNumber: number } }, division: { id: X } };
    const first = await ok(admin, 'POST', CAMPAIGNS, { ...base, name: 'rename one' });
    const second = await ok(admin, 'POST', CAMPAIGNS, { ...base, name: 'rename two' });
    const renamed = await http(admin, 'PUT', `${CAMPAIGNS}/${second.id}`, { ...second, name: 'RENAME ONE' });
    expect([renamed.status, renamed.body.code]).toEqual([409, 'campaign.name.taken']);
    const moved = await http(admin, 'PUT', `${CAMPAIGNS}/${first.id}`, { ...first, name: 'Y Campaign', division: { id: Y } });
    expect([moved.status, moved.body.code]).toEqual([409, 'campaign.name.taken']);
    const rows = (await db.query('SELECT name, division, version FROM campaigns.messaging_campaign WHERE id = ANY($1) ORDER BY name', [[first.id, second.id]])).rows;
    expect(rows).toEqual([
      { name: 'rename one', division: X, version: 1 },
      { name: 'rename two', division: X, version: 1 },
    ]);
  });

  it('a field the API does not know is refused, not stored', async () => {
    const r = await http(inX, 'POST', LISTS, { name: 'unknown field', columnNames: ['phone'], divisionId: Y, ownerId: 'someone' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/divisionId|ownerId/);
    expect((await db.query('SELECT count(*)::int AS n FROM contacts.contact_list WHERE name = $1', ['unknown field'])).rows[0].n).toBe(0);
  });
});
