// Email campaigns end to end: REST (the Genesys SDK) → contacts → dnc → templates → email-gateway →
// the SES emulator (aws-ses-v2-local) → results → campaign progress, and back: the List-Unsubscribe
// link in an email suppresses its recipient. Real broker, real PostgreSQL, every service its own process.
import { awaitCompletion, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { DEMO_EMAIL_TEMPLATE, headerOf, ReceivedEmail, receivedBySesEmulator } from '../../tools/demo/email-campaign';
import { urlOf } from '../../tools/stack/services';
import { readTopic, startTestStack, TestStack } from './support/test-stack';

let stack: TestStack;
const DOMAIN = 'mail.herald-e2e.example';
const FROM = `news@${DOMAIN}`;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 23080 });
  await stack.api.routing.postRoutingEmailOutboundDomains({ id: DOMAIN, name: DOMAIN });
});

afterAll(async () => {
  await stack?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await stack.fetch(path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* HTML or empty */
  }
  return { status: res.status, text, json: json as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const sent = async () => (await receivedBySesEmulator(urlOf(stack.settings, 'ses-emulator'))).filter((e) => e.from.includes(`<${FROM}>`));
const sentTo = (emails: ReceivedEmail[], address: string) => emails.filter((e) => e.destination.to.includes(address));

interface Contact {
  id: string;
  data: Record<string, string>;
}

async function emailCampaign(name: string, contacts: Contact[], dncListIds: string[] = [], fromDomain = DOMAIN) {
  const list = await stack.api.outbound.postOutboundContactlists({
    name: `${name} list`,
    columnNames: ['firstName', 'email', 'altEmail', 'orderId', 'deliveryDate'],
    emailColumns: [{ columnName: 'email', type: 'work' }, { columnName: 'altEmail', type: 'personal' }],
  });
  await stack.api.outbound.postOutboundContactlistContacts(list.id!, contacts.map((c) => ({ ...c, contactListId: list.id! })));
  const template = await stack.api.responses.postResponsemanagementResponses({ ...DEMO_EMAIL_TEMPLATE, name: `${name} template` });
  return stack.api.outbound.postOutboundMessagingcampaigns({
    name,
    contactList: { id: list.id },
    dncLists: dncListIds.map((id) => ({ id })),
    messagesPerMinute: 60_000,
    emailConfig: {
      emailColumns: ['email', 'altEmail'],
      contentTemplate: { id: template.id },
      fromAddress: { domain: { id: fromDomain }, localPart: 'news', friendlyName: 'Herald "E2E" Shop' },
      replyToAddress: { domain: { id: DOMAIN }, route: { name: 'help' } },
    },
  });
}

const order = (i: number) => ({ orderId: `A-${i}`, deliveryDate: `${i} May` });
const fillers = Array.from({ length: 20 }, (_, i) => ({ id: `f${i}`, data: { firstName: `Filler${i}`, email: `filler${i}@example.org`, ...order(100 + i) } }));

let firstCampaignId: string;

it('runs an email campaign to complete: content, substitutions, headers and every skip and failure reason', async () => {
  const dnc = await stack.api.outbound.postOutboundDnclists({ name: 'e2e email dnc', dncSourceType: 'rds', contactMethod: 'Email' });
  await stack.api.outbound.postOutboundDnclistEmailaddresses(dnc.id!, ['dnc.person@EXAMPLE.org']);
  expect((await call('POST', '/api/v2/herald/suppressions', { channel: 'email', address: 'Suppressed@example.org', reason: 'complaint', source: 'e2e' })).status).toBe(200);

  const contacts: Contact[] = [
    { id: 'escape', data: { firstName: '<b>&', email: 'Alice@Example.COM', ...order(1) } },
    { id: 'second-column', data: { firstName: 'Bob', email: '', altEmail: 'bob@example.org', ...order(2) } },
    { id: 'invalid', data: { firstName: 'Ivy', email: 'not-an-address', ...order(3) } },
    { id: 'no-address', data: { firstName: 'Nell', ...order(4) } },
    { id: 'dnc', data: { firstName: 'Dan', email: 'DNC.Person@example.org', ...order(5) } },
    { id: 'suppressed', data: { firstName: 'Sue', email: 'SUPPRESSED@example.org', ...order(6) } },
    { id: 'no-order', data: { firstName: 'Olga', email: 'olga@example.org', deliveryDate: '7 May' } },
    { id: 'default-name', data: { email: 'anon@example.org', ...order(8) } },
    ...fillers,
  ];
  const campaign = await emailCampaign('e2e email', contacts, [dnc.id!]);
  firstCampaignId = campaign.id!;
  expect(campaign.campaignStatus).toBe('off');
  expect(campaign.errors).toEqual([]);
  expect(campaign.emailConfig?.fromAddress).toMatchObject({ domain: { id: DOMAIN }, localPart: 'news' });

  await setCampaignStatus(stack.api, campaign.id!, 'on');
  const outcome = await awaitCompletion(stack.api, campaign.id!, { timeoutMs: 120_000 });
  expect(outcome.status).toBe('complete');
  const messaged = 3 + fillers.length; // escape, second-column, default-name and the fillers
  expect(outcome.progress.totalNumberOfContacts).toBe(contacts.length);
  expect(outcome.progress.numberOfContactsMessaged).toBe(messaged);
  expect(outcome.progress.numberOfContactsSkipped).toEqual({ 'invalid-address': 2, dnc: 1, suppressed: 1 });
  expect(outcome.progress['numberOfContactsFailed']).toBe(1);

  const emails = await sent();
  // Exactly one email per messaged contact, none to the skipped or failed ones.
  expect(emails).toHaveLength(messaged);
  expect(new Set(emails.map((e) => e.destination.to[0])).size).toBe(messaged);
  for (const skipped of ['dnc.person@example.org', 'DNC.Person@example.org', 'SUPPRESSED@example.org', 'olga@example.org']) expect(sentTo(emails, skipped)).toHaveLength(0);

  // Substitutions: HTML-escaped in the HTML part only; the address normalised (domain lower-cased).
  const [alice] = sentTo(emails, 'Alice@example.com');
  expect(alice).toBeDefined();
  expect(alice!.subject).toBe('Your order A-1 has shipped');
  expect(alice!.body.html).toBe('<p>Hi &lt;b&gt;&amp;,</p><p>order <b>A-1</b> is on its way and arrives on 1 May.</p>');
  expect(alice!.body.text).toBe('Hi <b>&,\n\norder A-1 is on its way and arrives on 1 May.');
  expect(alice!.from).toBe(`"Herald \\"E2E\\" Shop" <${FROM}>`);
  expect(alice!.replyTo).toEqual([`help@${DOMAIN}`]);
  expect(sentTo(emails, 'bob@example.org')).toHaveLength(1);
  expect(sentTo(emails, 'anon@example.org')[0]!.body.text).toMatch(/^Hi there,/);

  // Headers: RFC 8058 one-click unsubscribe through the edge, and Herald's message id.
  const messageIds = new Set<string>();
  for (const e of emails) {
    expect(headerOf(e, 'List-Unsubscribe')).toMatch(new RegExp(`^<${urlOf(stack.settings, 'edge')}/api/v2/herald/unsubscribe/u1\\.[\\w-]+\\.[\\w-]{43}>$`));
    expect(headerOf(e, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    messageIds.add(headerOf(e, 'X-Herald-Message-Id')!);
  }
  expect(messageIds.size).toBe(emails.length);

  // The results name the channel, the reason and the provider's message id.
  const results = await readTopic<{ messageId: string; campaignId: string; channel: string; outcome: string; reason?: string; providerMessageId?: string }>(
    stack,
    'herald.delivery.result.v1',
    (records) => records.filter((r) => (r.value as { campaignId?: string }).campaignId === campaign.id).length >= contacts.length,
  );
  const mine = results.map((r) => r.value as { messageId: string; campaignId: string; channel: string; outcome: string; reason?: string; providerMessageId?: string }).filter((v) => v.campaignId === campaign.id);
  expect(mine.every((r) => r.channel === 'email')).toBe(true);
  const accepted = mine.filter((r) => r.outcome === 'accepted');
  expect(new Set(accepted.map((r) => r.messageId))).toEqual(messageIds);
  expect(new Set(accepted.map((r) => r.providerMessageId))).toEqual(new Set(emails.map((e) => e.messageId)));
  expect(mine.find((r) => r.outcome === 'failed')).toMatchObject({ reason: 'render-failed' });
});

it('makes a campaign whose from address is not on a verified sending domain invalid, until the domain is provisioned', async () => {
  const other = 'unprovisioned.herald-e2e.example';
  const campaign = await emailCampaign('e2e email unverified', fillers.slice(0, 2), [], other);
  expect(campaign.campaignStatus).toBe('invalid');
  expect(campaign.errors).toEqual([{ error: 'campaign.email.domain.not.provisioned', details: expect.stringContaining(`news@${other} is not on a provisioned sending domain`) }]);
  // Turning it on is refused, and it stays invalid.
  await expect(setCampaignStatus(stack.api, campaign.id!, 'on')).rejects.toMatchObject({ status: 409, code: 'campaign.invalid' });
  expect((await stack.api.outbound.getOutboundMessagingcampaign(campaign.id!)).campaignStatus).toBe('invalid');

  expect((await call('GET', `/api/v2/routing/email/outbound/domains/${other}`)).status).toBe(404);
  await stack.api.routing.postRoutingEmailOutboundDomains({ id: other, name: other });
  const domain = await call('GET', `/api/v2/routing/email/outbound/domains/${other.toUpperCase()}`);
  expect(domain.json).toMatchObject({ id: other, verifiedForSending: true, dkimVerificationResult: { status: 'VERIFIED' } });
  const fixed = await setCampaignStatus(stack.api, campaign.id!, 'off');
  expect(fixed.campaignStatus).toBe('off');
  expect(fixed.errors).toEqual([]);
});

it('refuses email campaigns that do not hold together', async () => {
  const list = await stack.api.outbound.postOutboundContactlists({ name: 'e2e refusals', columnNames: ['email'], emailColumns: [{ columnName: 'email', type: 'work' }] });
  const sms = await stack.api.responses.postResponsemanagementResponses({ name: 'e2e sms only', libraries: [{ id: 'x' }], responseType: 'CampaignSmsTemplate', texts: [{ content: 'hi', contentType: 'text/plain' }] });
  const base = { name: 'e2e refused', contactList: { id: list.id }, messagesPerMinute: 60 };
  const emailConfig = { emailColumns: ['email'], contentTemplate: { id: sms.id }, fromAddress: { domain: { id: DOMAIN }, localPart: 'news' } };
  const post = (body: unknown) => call('POST', '/api/v2/outbound/messagingcampaigns', body);
  expect((await post({ ...base, emailConfig })).json.code).toBe('campaign.template.not.email');
  expect((await post({ ...base, emailConfig: { ...emailConfig, emailColumns: ['nope'] } })).json.code).toBe('campaign.email.column.unknown');
  expect((await post({ ...base, emailConfig: { ...emailConfig, fromAddress: { domain: { id: DOMAIN }, localPart: 'a b' } } })).json.code).toBe('bad.request');
  expect((await post({ ...base, emailConfig, smsConfig: { phoneColumn: 'email', senderSmsPhoneNumber: { phoneNumber: '+15555550100' } } })).json.code).toBe('campaign.channel.ambiguous');
  const noSubject = await call('POST', '/api/v2/responsemanagement/responses', { name: 'e2e no subject', libraries: [{ id: 'x' }], responseType: 'CampaignEmailTemplate', texts: [{ content: '<p>hi</p>', contentType: 'text/html' }] });
  expect(noSubject.status).toBe(400);
  expect(noSubject.json.code).toBe('template.email.texts');
});

it('unsubscribes in one click from the List-Unsubscribe link, refuses a tampered link, and skips the address afterwards', async () => {
  const emails = await sent();
  const link = (address: string) => headerOf(sentTo(emails, address)[0]!, 'List-Unsubscribe')!.slice(1, -1);
  const path = (url: string) => new URL(url).pathname;
  const suppressed = async (address: string) => (await call('GET', `/api/v2/herald/suppressions?channel=email&address=${encodeURIComponent(address)}`)).json;

  // A GET (a person, or a link scanner) only shows a confirmation form.
  const page = await stack.fetch(path(link('filler1@example.org')), { headers: { authorization: '' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain('<form method="post"');
  expect((await suppressed('filler1@example.org')).total).toBe(0);

  // A tampered link (another address in the claims, or one character of the signature changed) changes nothing.
  const [v, claims, signature] = path(link('filler0@example.org')).split('/').pop()!.split('.') as [string, string, string];
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), a: 'filler2@example.org' })).toString('base64url');
  const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
  for (const token of [`${v}.${other}.${signature}`, `${v}.${claims}.${flipped}`, 'garbage']) {
    const r = await call('POST', `/api/v2/herald/unsubscribe/${token}`, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded', authorization: '' });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('unsubscribe.token.invalid');
  }
  expect((await suppressed('filler2@example.org')).total).toBe(0);
  expect((await suppressed('filler0@example.org')).total).toBe(0);

  // RFC 8058 one-click: a POST without cookies or credentials (no OAuth token), twice (the second changes nothing).
  const url = path(link('filler0@example.org'));
  for (let i = 0; i < 2; i++) {
    const r = await call('POST', url, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded', authorization: '' });
    expect(r.status).toBe(200);
  }
  const entry = await suppressed('filler0@example.org');
  expect(entry.total).toBe(1);
  expect(entry.entities[0]).toMatchObject({
    channel: 'email',
    address: 'filler0@example.org',
    reason: 'unsubscribe',
    source: 'list-unsubscribe',
    campaignId: firstCampaignId,
    messageId: headerOf(sentTo(emails, 'filler0@example.org')[0]!, 'X-Herald-Message-Id'),
  });

  // The next run of the campaign skips the unsubscribed address.
  expect((await call('DELETE', `/api/v2/outbound/messagingcampaigns/${firstCampaignId}/progress`)).status).toBe(202);
  await setCampaignStatus(stack.api, firstCampaignId, 'on');
  const rerun = await awaitCompletion(stack.api, firstCampaignId, { timeoutMs: 120_000 });
  expect(rerun.status).toBe('complete');
  expect(rerun.progress.numberOfContactsSkipped).toEqual({ 'invalid-address': 2, dnc: 1, suppressed: 2 });
  expect(sentTo(await sent(), 'filler0@example.org')).toHaveLength(1); // only the first run's email
});

/** Starts a pre-launch preview and polls it until it is no longer IN_PROGRESS. */
async function preview(campaignId: string) {
  const started = await call('POST', `/api/v2/outbound/messagingcampaigns/${campaignId}/previews`);
  expect(started.status).toBe(202);
  for (const deadline = Date.now() + 60_000; ; ) {
    const got = await call('GET', `/api/v2/outbound/messagingcampaigns/${campaignId}/previews/${started.json.id}`);
    expect(got.status).toBe(200);
    if (got.json.state !== 'IN_PROGRESS') return got.json;
    if (Date.now() > deadline) throw new Error('the preview did not finish in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('previews an email campaign, and the run then does exactly what the preview said', async () => {
  const at = (n: number) => `p${n}.preview@example.org`;
  const dnc = await stack.api.outbound.postOutboundDnclists({ name: 'e2e email preview dnc', dncSourceType: 'rds', contactMethod: 'Email' });
  await stack.api.outbound.postOutboundDnclistEmailaddresses(dnc.id!, [at(6), at(8)]);
  for (const n of [7, 8]) expect((await call('POST', '/api/v2/herald/suppressions', { channel: 'email', address: at(n), reason: 'complaint', source: 'e2e' })).status).toBe(200);
  const contacts: Contact[] = [
    { id: 'ok', data: { firstName: 'Ann', email: at(1), ...order(1) } },
    { id: 'ok-alt', data: { firstName: 'Ben', email: '', altEmail: at(2), ...order(2) } },
    { id: 'ok-default', data: { email: at(3), ...order(3) } }, // firstName's default
    { id: 'invalid', data: { firstName: 'Ivy', email: 'not-an-address', ...order(4) } },
    { id: 'no-address', data: { firstName: 'Nell', ...order(5) } },
    { id: 'dnc', data: { firstName: 'Dan', email: at(6), ...order(6) } },
    { id: 'suppressed', data: { firstName: 'Sue', email: at(7), ...order(7) } },
    { id: 'suppressed-and-dnc', data: { firstName: 'Sam', email: at(8), ...order(8) } }, // suppression wins
    { id: 'no-order', data: { firstName: 'Olga', email: at(9), deliveryDate: '9 May' } }, // subject, html and text lack it
    { id: 'no-date', data: { firstName: 'Dora', email: at(10), orderId: 'A-10' } }, // the bodies lack it
    { id: 'no-order-no-date', data: { firstName: 'Nina', email: at(11) } },
    { id: 'excluded-1', data: { firstName: 'Excluded', email: at(12), ...order(12) } },
    { id: 'excluded-2', data: { firstName: 'Excluded', email: at(13), ...order(13) } },
  ];
  const created = await emailCampaign('e2e email preview', contacts, [dnc.id!]);
  const filter = await call('POST', '/api/v2/outbound/contactlistfilters', {
    name: 'e2e email preview: not Excluded',
    contactList: { id: created.contactList!.id },
    clauses: [{ filterType: 'AND', predicates: [{ column: 'firstName', columnType: 'alphabetic', operator: 'EQUALS', value: 'Excluded', inverted: true }] }],
  });
  expect(filter.status).toBe(200);
  const campaign = await stack.api.outbound.putOutboundMessagingcampaign(created.id!, { ...created, messagesPerMinute: 600, contactListFilters: [{ id: filter.json.id }] } as never);
  expect(campaign.campaignStatus).toBe('off');

  const done = await preview(campaign.id!);
  expect(done).toMatchObject({ state: 'SUCCEEDED', totalContacts: 11, contactsProcessed: 11, percentComplete: 100 });
  expect(done.result).toEqual({
    totalNumberOfContacts: 11,
    numberOfContactsFilteredOut: 2,
    numberOfContactsToMessage: 3,
    numberOfContactsSkipped: { 'invalid-address': 2, dnc: 1, suppressed: 2 },
    dncLists: [{ id: dnc.id, selfUri: `/api/v2/outbound/dnclists/${dnc.id}`, numberOfContactsSkipped: 1 }],
    numberOfContactsFailed: { 'render-failed': 3 },
    unresolvedVariables: [
      { name: 'deliveryDate', numberOfContacts: 2, parts: ['html', 'text'] },
      { name: 'orderId', numberOfContacts: 2, parts: ['html', 'subject', 'text'] },
    ],
    sms: null,
    messagesPerMinute: 600,
    // 9 contacts have an address, one slot every 0.1 s: the last is dispatched 0.8 s after the start.
    estimatedDurationSeconds: 0.8,
  });
  // A dry run: nothing was sent.
  const toPreviewed = async () => (await receivedBySesEmulator(urlOf(stack.settings, 'ses-emulator'))).filter((e) => e.destination.to.some((a) => a.endsWith('.preview@example.org')));
  expect(await toPreviewed()).toHaveLength(0);

  await setCampaignStatus(stack.api, campaign.id!, 'on');
  const outcome = await awaitCompletion(stack.api, campaign.id!, { timeoutMs: 120_000 });
  expect(outcome.status).toBe('complete');
  const r = done.result;
  expect(outcome.progress.totalNumberOfContacts).toBe(r.totalNumberOfContacts);
  expect(outcome.progress.numberOfContactsMessaged).toBe(r.numberOfContactsToMessage);
  expect(outcome.progress.numberOfContactsSkipped).toEqual(r.numberOfContactsSkipped);
  expect(outcome.progress['numberOfContactsFailed']).toBe(r.numberOfContactsFailed['render-failed']);
  // What SES received: one email to each contact the preview said would be messaged, no other.
  expect((await toPreviewed()).map((e) => e.destination.to[0]).sort()).toEqual([at(1), at(2), at(3)]);
  // The DNC skips and the render failures, with the variables the preview named, from the result topic.
  const results = (
    await readTopic<{ campaignId: string; contactId: string; outcome: string; reason?: string; dncListId?: string; detail?: string }>(
      stack,
      'herald.delivery.result.v1',
      (records) => records.filter((x) => (x.value as { campaignId?: string }).campaignId === campaign.id).length >= 11,
    )
  )
    .map((x) => x.value as { campaignId: string; contactId: string; outcome: string; reason?: string; dncListId?: string; detail?: string })
    .filter((v) => v.campaignId === campaign.id);
  expect(results.filter((v) => v.reason === 'dnc' && v.dncListId === dnc.id)).toHaveLength(r.dncLists[0].numberOfContactsSkipped);
  const failed = results.filter((v) => v.outcome === 'failed').map((v) => [v.contactId, v.detail]);
  expect(failed.sort()).toEqual([
    ['no-date', 'no value and no default for: deliveryDate'],
    ['no-order', 'no value and no default for: orderId'],
    ['no-order-no-date', 'no value and no default for: orderId, deliveryDate'],
  ]);
});

it('keeps email addresses and unsubscribe tokens out of the service logs', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const logs = stack.supervisor.logDir;
  for (const file of readdirSync(logs)) {
    const text = readFileSync(`${logs}/${file}`, 'utf8');
    expect({ file, leaked: text.match(/[\w.+-]+@example\.(org|com)|u1\.[\w-]{20,}/i)?.[0] }).toEqual({ file, leaked: undefined });
  }
});
