// Validity beyond the save: a campaign is checked again when it is turned on and, while it runs,
// every CAMPAIGN_REVALIDATE_INTERVAL_MS (1 s here). One whose sender number, template column or
// sending domain has gone since it was saved becomes `invalid` with its errors instead of
// starting, or stops; fixed and turned on again, it resumes the same run with no contact messaged
// twice and none left out. A reference deleted meanwhile (a template) makes it invalid on turning
// on, and stops it while it runs. Real broker,
// real PostgreSQL, every service its own process.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON bodies loosely and assert on their shape */
import { randomUUID } from 'node:crypto';
import { prepareEmailCampaign, receivedBySesEmulator } from '../../tools/demo/email-campaign';
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { urlOf } from '../../tools/stack/services';
import { flushedSimulatorLog, readTopic, startTestStack, TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    portBase: 29080,
    extraEnv: { campaigns: { CAMPAIGN_REVALIDATE_INTERVAL_MS: '1000' } },
    services: ['sms-simulator', 'ses-emulator', 'contacts', 'campaigns', 'dnc', 'templates', 'sms-gateway', 'email-gateway', 'edge'],
  });
});

afterAll(async () => {
  await stack?.close();
});

const CAMPAIGNS = '/api/v2/outbound/messagingcampaigns';

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await stack.fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await http(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function turnOn(id: string): Promise<{ status: number; body: any }> {
  const current = await ok('GET', `${CAMPAIGNS}/${id}`);
  return http('PUT', `${CAMPAIGNS}/${id}`, { ...current, campaignStatus: 'on' });
}

let senderSeq = 0;
const newSender = () => `+1555020${String(1000 + senderSeq++)}`;

async function deleteSender(phoneNumber: string): Promise<void> {
  const found = await ok('GET', `/api/v2/routing/sms/phonenumbers?phoneNumber=${encodeURIComponent(phoneNumber)}`);
  expect(found.entities).toHaveLength(1);
  await ok('DELETE', `/api/v2/routing/sms/phonenumbers/${found.entities[0].id}`);
}

const provisionSender = (phoneNumber: string) => ok('POST', '/api/v2/routing/sms/phonenumbers', { phoneNumber, phoneNumberType: 'local', countryCode: 'US' });

/** Polls every `intervalMs` until `read` answers something `done` accepts (or fails after `timeoutMs`). */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

describe('turning a campaign on checks it again', () => {
  it('makes it invalid with its error instead of starting when its sender, a template column or its sending domain has gone since the save', async () => {
    // A sender number deleted after the save.
    const sender = newSender();
    const sms = await prepareSmsCampaign(stack.api, { contacts: 3, messagesPerMinute: 60_000, sender, name: `deleted sender ${randomUUID()}` });
    await deleteSender(sender);
    // A template given a variable that the list has no column for, and no default.
    const edited = await prepareSmsCampaign(stack.api, { contacts: 3, messagesPerMinute: 60_000, sender: newSender(), name: `edited template ${randomUUID()}` });
    const template = await ok('GET', `/api/v2/responsemanagement/responses/${edited.templateId}`);
    await ok('PUT', `/api/v2/responsemanagement/responses/${edited.templateId}`, {
      ...template,
      texts: [{ content: 'Hi {{firstName}}, about {{account}}', contentType: 'text/plain' }],
      substitutions: [...template.substitutions, { id: 'account' }],
    });
    // A sending domain removed after the save.
    const domain = `removed-${randomUUID().slice(0, 8)}.herald-e2e.example`;
    const email = await prepareEmailCampaign(stack.api, { contacts: 3, messagesPerMinute: 60_000, domain, name: `removed domain ${randomUUID()}` });
    await ok('DELETE', `/api/v2/routing/email/outbound/domains/${domain}`);
    // Its template deleted after the save.
    const orphan = await prepareSmsCampaign(stack.api, { contacts: 3, messagesPerMinute: 60_000, sender: newSender(), name: `deleted template ${randomUUID()}` });
    await ok('DELETE', `/api/v2/responsemanagement/responses/${orphan.templateId}`);

    const cases = [
      { id: sms.campaignId, error: 'campaign.sender.unknown', details: new RegExp(`${sender.replace('+', '\\+')} is not a provisioned SMS number`) },
      { id: edited.campaignId, error: 'campaign.template.column.missing', details: /uses \{\{account\}\}, which is not a column/ },
      { id: email.campaignId, error: 'campaign.email.domain.not.provisioned', details: new RegExp(`${domain} is not an outbound domain`) },
      { id: orphan.campaignId, error: 'campaign.template.not.found', details: new RegExp(`template ${orphan.templateId} does not exist`) },
    ];
    for (const c of cases) {
      const before = await ok('GET', `${CAMPAIGNS}/${c.id}`);
      expect({ id: c.id, status: before.campaignStatus, errors: before.errors }).toEqual({ id: c.id, status: 'off', errors: [] });
      const on = await turnOn(c.id);
      expect({ error: c.error, status: on.status, code: on.body.code }).toEqual({ error: c.error, status: 409, code: 'campaign.invalid' });
      expect(on.body.details).toEqual([{ error: c.error, details: expect.stringMatching(c.details) }]);
      const after = await ok('GET', `${CAMPAIGNS}/${c.id}`);
      expect({ error: c.error, status: after.campaignStatus }).toEqual({ error: c.error, status: 'invalid' });
      expect(after.errors).toEqual(on.body.details);
      expect(after.version).toBe(before.version + 1);
      // It did not start: contacts never snapshotted an audience for it.
      expect((await ok('GET', `${CAMPAIGNS}/${c.id}/progress`)).totalNumberOfContacts).toBe(0);
    }

    // Naming a template that does not exist is still the request's fault: 400, nothing saved.
    const invalid = await ok('GET', `${CAMPAIGNS}/${orphan.campaignId}`);
    const renamed = await http('PUT', `${CAMPAIGNS}/${orphan.campaignId}`, { ...invalid, smsConfig: { ...invalid.smsConfig, contentTemplate: { id: randomUUID() } } });
    expect([renamed.status, renamed.body.code]).toEqual([400, 'campaign.template.not.found']);
    expect((await ok('GET', `${CAMPAIGNS}/${orphan.campaignId}`)).version).toBe(invalid.version);

    // Fixed (the sender provisioned again) and saved, it is `off` again and runs to completion.
    await provisionSender(sender);
    const fixed = await setCampaignStatus(stack.api, sms.campaignId, 'off');
    expect(fixed).toMatchObject({ campaignStatus: 'off', errors: [] });
    expect((await turnOn(sms.campaignId)).status).toBe(200);
    expect((await awaitCompletion(stack.api, sms.campaignId, { timeoutMs: 120_000 })).status).toBe('complete');
  });
});

describe('running campaigns are re-checked', () => {
  it('stops one whose sender number or sending domain disappears as invalid with the error; fixed, it resumes with no duplicate and no gap', async () => {
    const CONTACTS = 60;
    const sender = newSender();
    const domain = `running-${randomUUID().slice(0, 8)}.herald-e2e.example`;
    const sms = await prepareSmsCampaign(stack.api, { contacts: CONTACTS, messagesPerMinute: 120, sender, name: `running sms ${randomUUID()}` });
    const email = await prepareEmailCampaign(stack.api, { contacts: CONTACTS, messagesPerMinute: 120, domain, name: `running email ${randomUUID()}` });
    await setCampaignStatus(stack.api, sms.campaignId, 'on');
    await setCampaignStatus(stack.api, email.campaignId, 'on');
    const messaged = async (id: string) => ((await ok('GET', `${CAMPAIGNS}/${id}/progress`)).numberOfContactsMessaged as number) ?? 0;
    await until('SMS messaged', () => messaged(sms.campaignId), (n) => n >= 5);
    await until('emails messaged', () => messaged(email.campaignId), (n) => n >= 5);

    await deleteSender(sender);
    await ok('DELETE', `/api/v2/routing/email/outbound/domains/${domain}`);
    const stopped = async (id: string) => until(`campaign ${id} invalid`, () => ok('GET', `${CAMPAIGNS}/${id}`), (c) => c.campaignStatus !== 'on', 30_000);
    const smsStopped = await stopped(sms.campaignId);
    expect(smsStopped).toMatchObject({ campaignStatus: 'invalid', errors: [{ error: 'campaign.sender.unknown', details: expect.stringContaining(sender) }] });
    const emailStopped = await stopped(email.campaignId);
    expect(emailStopped).toMatchObject({ campaignStatus: 'invalid', errors: [{ error: 'campaign.email.domain.not.provisioned', details: expect.stringContaining(domain) }] });

    // A reference that has been deleted (here its template) is an error too, with the code a save
    // would refuse it with.
    const orphan = await prepareSmsCampaign(stack.api, { contacts: CONTACTS, messagesPerMinute: 120, sender: newSender(), name: `deleted template ${randomUUID()}` });
    await setCampaignStatus(stack.api, orphan.campaignId, 'on');
    await until('orphan messaged', () => messaged(orphan.campaignId), (n) => n >= 1);
    await ok('DELETE', `/api/v2/responsemanagement/responses/${orphan.templateId}`);
    expect(await stopped(orphan.campaignId)).toMatchObject({
      campaignStatus: 'invalid',
      errors: [{ error: 'campaign.template.not.found', details: `template ${orphan.templateId} does not exist` }],
    });

    // Dispatching stopped: once the messages in flight have results, the count stays put (at 2 a
    // second, a dispatch would show within 1.5 s), below the size of the list.
    const settled = async (id: string) => {
      let last = -1;
      const same = (n: number) => {
        const unchanged = n === last;
        last = n;
        return unchanged;
      };
      return until(`campaign ${id} settled`, () => messaged(id), same, 60_000, 1_500);
    };
    const smsAtStop = await settled(sms.campaignId);
    const emailAtStop = await settled(email.campaignId);
    expect(smsAtStop).toBeLessThan(CONTACTS);
    expect(emailAtStop).toBeLessThan(CONTACTS);

    // Fixed and saved: `off` again; `on` resumes the same run.
    await provisionSender(sender);
    await stack.api.routing.postRoutingEmailOutboundDomains({ id: domain, name: domain });
    for (const id of [sms.campaignId, email.campaignId]) {
      expect(await setCampaignStatus(stack.api, id, 'off')).toMatchObject({ campaignStatus: 'off', errors: [] });
      await setCampaignStatus(stack.api, id, 'on');
    }
    for (const id of [sms.campaignId, email.campaignId]) {
      const outcome = await awaitCompletion(stack.api, id, { timeoutMs: 180_000 });
      expect(outcome.status).toBe('complete');
      expect(outcome.progress).toMatchObject({ totalNumberOfContacts: CONTACTS, numberOfContactsMessaged: CONTACTS });
    }

    // Each contact was messaged exactly once, before and after the stop together: the campaign's
    // accepted results name one message per contact, and the simulator took each of them once.
    const results = await readTopic<{ campaignId: string; messageId: string; outcome: string }>(
      stack,
      'herald.delivery.result.v1',
      (records) => records.filter((r) => (r.value as { campaignId?: string }).campaignId === sms.campaignId).length >= CONTACTS,
    );
    const messageIds = new Set(results.map((r) => r.value as { campaignId: string; messageId: string; outcome: string }).filter((v) => v.campaignId === sms.campaignId && v.outcome === 'accepted').map((v) => v.messageId));
    expect(messageIds.size).toBe(CONTACTS);
    const texts = (await flushedSimulatorLog(stack)).filter((m) => messageIds.has(m.context?.['heraldMessageId'] ?? ''));
    expect(texts).toHaveLength(CONTACTS);
    expect(new Set(texts.map((m) => m.destination)).size).toBe(CONTACTS);
    const emails = (await receivedBySesEmulator(urlOf(stack.settings, 'ses-emulator'))).filter((e) => e.from.includes(`<${email.fromAddress}>`));
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([...email.expectedRecipients].sort());
  });
});
