// Provider events end to end: the SMS simulator and the local SES event destination publish
// signed SNS notifications for what they accepted; the gateways verify them, keep each message's
// delivery state and publish receipts on the delivery-result topic; hard bounces and complaints
// land in the global suppression; messages without any event become unknown (delivery.timeout).
// Real broker, real PostgreSQL, every service its own process.
import { createSelfSignedSnsSigner, snsNotification } from '@herald/sns';
import { RESOLVED_BY_EVENT_DETAIL } from '@herald/sending';
import { Client } from 'pg';
import { DEMO_EMAIL_TEMPLATE } from '../../tools/demo/email-campaign';
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { urlOf } from '../../tools/stack/services';
import { acceptedBySimulator, readTopic, startTestStack, TestStack } from './support/test-stack';

interface Result {
  messageId: string;
  campaignId?: string;
  contactId?: string;
  outcome: string;
  reason?: string;
  detail?: string;
  providerMessageId?: string;
  occurredAt?: string;
}

// Contacts c…16 and c…17 (+1202555001[67]) are never reached; c…18 and c…19 get no event at all.
const FAILING = /^c000001[67]$/;
const SILENT = /^c000001[89]$/;
const EVENT_RULES = [
  { destination: '^\\+1202555001[67]$', outcome: 'TEXT_CARRIER_UNREACHABLE' },
  { destination: '^\\+1202555001[89]$', outcome: 'none' },
];
const TIMEOUT_MS = 15_000;
/** The sms-gateway's provider call timeout (SMS_SEND_TIMEOUT_MS): a send without an answer by then is ambiguous. */
const SEND_TIMEOUT_MS = 3_000;
const DOMAIN = 'mail.provider-events.example';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    portBase: 31080,
    providerEvents: true,
    extraEnv: {
      'sms-simulator': { SMS_SIMULATOR_EVENT_RULES: JSON.stringify(EVENT_RULES) },
      'sms-gateway': { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS), SMS_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) },
      'email-gateway': { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) },
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

/** Polls `probe` until it answers something other than undefined (or the deadline passes). */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every result of one campaign on the topic, once `done` says the picture is complete. */
async function campaignResults(campaignId: string, done: (results: Result[]) => boolean): Promise<Result[]> {
  const mine = (records: { value: unknown }[]) => records.map((r) => r.value as Result).filter((v) => typeof v === 'object' && v.campaignId === campaignId);
  return mine(await readTopic<Result>(stack, 'herald.delivery.result.v1', (records) => done(mine(records)), 120_000));
}

async function messageOutcome(messageId: string): Promise<{ outcome: string; reason?: string; history: { outcome: string }[] }> {
  const res = await stack.fetch(`/api/v2/herald/messages/${messageId}`);
  return (await res.json()) as { outcome: string; reason?: string; history: { outcome: string }[] };
}

/** Every result of one campaign on the topic, read to its end (everything published so far). */
async function allCampaignResults(campaignId: string): Promise<Result[]> {
  const topic = `${stack.settings.topicPrefix}herald.delivery.result.v1`;
  const admin = stack.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const records = await readTopic<Result>(stack, 'herald.delivery.result.v1', (r) => r.length >= total, 120_000);
  expect(records.length).toBeGreaterThanOrEqual(total);
  return records.map((r) => r.value as Result).filter((v) => typeof v === 'object' && v.campaignId === campaignId);
}

/** Returns once the SMS simulator and the SES event destination have posted every event so far. */
async function drainProviderEvents(): Promise<void> {
  expect((await fetch(`${urlOf(stack.settings, 'sms-simulator')}/_simulator/events/drain`, { method: 'POST' })).status).toBe(200);
  expect((await fetch(`${urlOf(stack.settings, 'ses-events')}/drain`, { method: 'POST' })).status).toBe(200);
}

const count = (results: Result[], messageId: string, outcome: string) => results.filter((r) => r.messageId === messageId && r.outcome === outcome).length;

async function runSmsCampaign(name: string) {
  const handle = await prepareSmsCampaign(stack.api, { contacts: 20, messagesPerMinute: 60_000, name });
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 120_000 });
  expect(outcome.status).toBe('complete');
  // Receipts never count twice: accepted then delivered (or timed out) is one messaged contact.
  const finalStates = (results: Result[]) => {
    const accepted = results.filter((r) => r.outcome === 'accepted');
    if (accepted.length < 20) return false;
    return accepted.every((a) =>
      FAILING.test(a.contactId!) ? count(results, a.messageId, 'undelivered') > 0 : SILENT.test(a.contactId!) ? count(results, a.messageId, 'unknown') > 0 : count(results, a.messageId, 'delivered') > 0,
    );
  };
  expect(finalStates(await campaignResults(handle.campaignId, finalStates))).toBe(true);
  await drainProviderEvents();
  const results = await allCampaignResults(handle.campaignId);
  const progress = await stack.api.outbound.getOutboundMessagingcampaignProgress(handle.campaignId);
  expect(progress).toMatchObject({ numberOfContactsMessaged: 20, percentage: 100 });
  expect((progress as { numberOfContactsUnknown?: number }).numberOfContactsUnknown).toBe(0);
  return { handle, results, accepted: results.filter((r) => r.outcome === 'accepted') };
}

let firstRun: Awaited<ReturnType<typeof runSmsCampaign>>;

it('takes an SMS campaign to delivered, undelivered and (no event in time) unknown through signed SNS events', async () => {
  firstRun = await runSmsCampaign('e2e provider events');
  const { results, accepted } = firstRun;
  for (const a of accepted) {
    const id = a.messageId;
    if (FAILING.test(a.contactId!)) {
      expect(results.filter((r) => r.messageId === id && r.outcome === 'undelivered')).toEqual([expect.objectContaining({ reason: 'TEXT_CARRIER_UNREACHABLE' })]);
      expect(count(results, id, 'delivered')).toBe(0);
    } else if (SILENT.test(a.contactId!)) {
      expect(results.filter((r) => r.messageId === id && r.outcome === 'unknown')).toEqual([expect.objectContaining({ reason: 'delivery.timeout' })]);
    } else {
      expect(count(results, id, 'delivered')).toBe(1);
    }
  }
  // Reporting shows each message's final state, with its history.
  const silent = accepted.find((a) => SILENT.test(a.contactId!))!;
  const delivered = accepted.find((a) => !SILENT.test(a.contactId!) && !FAILING.test(a.contactId!))!;
  expect(await eventually(async () => ((await messageOutcome(silent.messageId)).outcome === 'unknown' ? messageOutcome(silent.messageId) : undefined))).toMatchObject({
    outcome: 'unknown',
    reason: 'delivery.timeout',
  });
  const report = await eventually(async () => ((await messageOutcome(delivered.messageId)).outcome === 'delivered' ? messageOutcome(delivered.messageId) : undefined));
  expect(report.history.map((h) => h.outcome)).toEqual(['accepted', 'delivered']);
});

it('refuses unsigned, forged and untrusted SNS posts with 403, and they change nothing', async () => {
  const target = firstRun.accepted.find((a) => SILENT.test(a.contactId!))!; // unknown: any receipt would replace it
  const impostor = await createSelfSignedSnsSigner('impostor');
  const event = JSON.stringify({ eventType: 'TEXT_DELIVERED', isFinal: true, eventTimestamp: Date.now(), messageId: 'forged', context: { heraldMessageId: target.messageId } });
  const trustedCertUrl = `${urlOf(stack.settings, 'sms-simulator')}/_sns/certificate.pem`;
  const unsigned = snsNotification('arn:aws:sns:us-east-1:000000000000:herald-local-sms-events', event);
  const posts: [unknown, string][] = [
    [unsigned, 'sns.signature.missing'],
    [impostor.sign(unsigned, trustedCertUrl), 'sns.signature.invalid'],
    [impostor.sign(unsigned, 'http://127.0.0.1:1/_sns/certificate.pem'), 'sns.certificate.untrusted'],
    [impostor.sign(unsigned, 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem'), 'sns.certificate.untrusted'],
  ];
  for (const [body, code] of posts) {
    const res = await stack.fetch('/api/v2/herald/providers/sns/sms', { method: 'POST', headers: { authorization: '', 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(body) });
    expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({ status: 403, code });
  }
  expect((await messageOutcome(target.messageId)).outcome).toBe('unknown');
  const after = await allCampaignResults(firstRun.handle.campaignId);
  expect(after.filter((r) => r.messageId === target.messageId).map((r) => r.outcome)).toEqual(['accepted', 'unknown']);
});

it('keeps final states right when every event comes three times and in reverse order', async () => {
  const simulator = urlOf(stack.settings, 'sms-simulator');
  const put = await fetch(`${simulator}/_simulator/config`, { method: 'PUT', body: JSON.stringify({ eventDuplicates: 3, eventOrder: 'reversed' }) });
  expect(put.status).toBe(200);
  try {
    // Every copy of every event has been posted and applied: the topic holds each step once.
    const { results, accepted } = await runSmsCampaign('e2e provider events reordered');
    for (const a of accepted) {
      const outcomes = results.filter((r) => r.messageId === a.messageId).map((r) => r.outcome);
      if (FAILING.test(a.contactId!)) expect(outcomes).toEqual(['accepted', 'undelivered']);
      else if (SILENT.test(a.contactId!)) expect(outcomes).toEqual(['accepted', 'unknown']);
      else expect(outcomes).toEqual(['accepted', 'delivered']);
    }
  } finally {
    await fetch(`${simulator}/_simulator/config`, { method: 'PUT', body: JSON.stringify({ eventDuplicates: 1, eventOrder: 'natural' }) });
  }
});

it('resolves ambiguous SMS sends (the answer later than SMS_SEND_TIMEOUT_MS) by their delivery events, never sending them again', async () => {
  const simulator = urlOf(stack.settings, 'sms-simulator');
  const stats = async () => (await (await fetch(`${simulator}/_simulator/stats`)).json()) as { requests: number; accepted: number; unanswered: number };
  const before = await stats();
  // The simulator accepts each message (logs it, schedules its events) but answers only after the
  // gateway has given up: every send of this campaign is ambiguous although every message went out.
  const lateAnswerMs = SEND_TIMEOUT_MS + 2_000;
  expect((await fetch(`${simulator}/_simulator/config`, { method: 'PUT', body: JSON.stringify({ lateAnswerMs }) })).status).toBe(200);
  let handle: Awaited<ReturnType<typeof prepareSmsCampaign>>;
  try {
    // Contacts c0000000…c0000004 (+12025550000…4): no EVENT_RULES match, every one gets TEXT_SUCCESSFUL then TEXT_DELIVERED.
    handle = await prepareSmsCampaign(stack.api, { contacts: 5, messagesPerMinute: 60_000, name: 'e2e provider events ambiguous' });
    await setCampaignStatus(stack.api, handle.campaignId, 'on');
    // unknown is a terminal result: the campaign completes on the ambiguous sends themselves.
    expect((await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 120_000 })).status).toBe('complete');
  } finally {
    await fetch(`${simulator}/_simulator/config`, { method: 'PUT', body: JSON.stringify({ lateAnswerMs: 0 }) });
  }

  const resolved = (results: Result[]) => {
    const ids = new Set(results.map((r) => r.messageId));
    return ids.size === 5 && [...ids].every((id) => count(results, id, 'delivered') > 0);
  };
  expect(resolved(await campaignResults(handle.campaignId, resolved))).toBe(true);
  await drainProviderEvents();
  const results = await allCampaignResults(handle.campaignId);
  expect(await fetch(`${simulator}/_simulator/flush`, { method: 'POST' }).then((r) => r.status)).toBe(200);
  const sent = acceptedBySimulator(stack);
  const db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  try {
    for (const id of new Set(results.map((r) => r.messageId))) {
      const mine = results.filter((r) => r.messageId === id);
      // First unknown (the call timed out), then resolved by the provider's events: accepted, delivered; each once.
      expect(mine.map((r) => r.outcome)).toEqual(['unknown', 'accepted', 'delivered']);
      const [unknown, accepted, delivered] = mine as [Result, Result, Result];
      expect(unknown).toMatchObject({ reason: 'TimeoutError' });
      // Sent exactly once: the simulator accepted it once, and Herald never sent it again.
      const copies = sent.filter((m) => m.context?.['heraldMessageId'] === id);
      expect(copies).toHaveLength(1);
      const took = Date.parse(unknown.occurredAt!) - Date.parse(copies[0]!.acceptedAt);
      expect(took).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS - 200); // the gateway gave up at its timeout…
      expect(took).toBeLessThan(lateAnswerMs); // …before the late answer came
      expect(accepted).toMatchObject({ detail: RESOLVED_BY_EVENT_DETAIL, providerMessageId: copies[0]!.messageId });
      expect(delivered).toMatchObject({ providerMessageId: copies[0]!.messageId });
      // The send ledger: accepted after all, with the provider's message id and its receipt.
      const { rows } = await db.query('SELECT state, provider_message_id, delivery FROM sms.send_attempt WHERE message_id = $1', [id]);
      expect(rows).toEqual([{ state: 'accepted', provider_message_id: copies[0]!.messageId, delivery: 'delivered' }]);
      // Reporting: delivered, with every step in the history.
      const report = await eventually(async () => {
        const r = await messageOutcome(id);
        return r.outcome === 'delivered' && r.history.length === 3 ? r : undefined;
      });
      expect(report.history.map((h) => h.outcome).sort()).toEqual(['accepted', 'delivered', 'unknown']);
    }
  } finally {
    await db.end();
  }
  // Nothing else was sent or retried: five requests, five accepted messages, none of them answered in time.
  await eventually(async () => ((await stats()).unanswered - before.unanswered === 5 ? true : undefined), 30_000);
  const after = await stats();
  expect({ requests: after.requests - before.requests, accepted: after.accepted - before.accepted, unanswered: after.unanswered - before.unanswered }).toEqual({ requests: 5, accepted: 5, unanswered: 5 });
  // The campaign counts the resolved contacts as messaged, no longer unknown.
  const progress = await eventually(async () => {
    const p = (await stack.api.outbound.getOutboundMessagingcampaignProgress(handle.campaignId)) as { numberOfContactsMessaged?: number; numberOfContactsUnknown?: number };
    return p.numberOfContactsMessaged === 5 ? p : undefined;
  });
  expect(progress).toMatchObject({ numberOfContactsMessaged: 5, numberOfContactsUnknown: 0 });
});

it('records bounces and complaints of an email campaign and suppresses both addresses with provenance', async () => {
  await stack.api.routing.postRoutingEmailOutboundDomains({ id: DOMAIN, name: DOMAIN });
  const list = await stack.api.outbound.postOutboundContactlists({
    name: 'e2e email events list',
    columnNames: ['firstName', 'email', 'orderId', 'deliveryDate'],
    emailColumns: [{ columnName: 'email', type: 'work' }],
  });
  const addresses: Record<string, string> = {
    bounce: 'bounce@simulator.amazonses.com',
    complaint: 'complaint@simulator.amazonses.com',
    click: 'click+1@example.org',
    silent: 'noevents+1@example.org',
    plain: 'plain@example.org',
  };
  await stack.api.outbound.postOutboundContactlistContacts(
    list.id!,
    Object.entries(addresses).map(([id, email]) => ({ id, contactListId: list.id!, data: { firstName: id, email, orderId: `A-${id}`, deliveryDate: '1 May' } })),
  );
  const template = await stack.api.responses.postResponsemanagementResponses({ ...DEMO_EMAIL_TEMPLATE, name: 'e2e email events template' });
  const campaign = await stack.api.outbound.postOutboundMessagingcampaigns({
    name: 'e2e email events',
    contactList: { id: list.id },
    messagesPerMinute: 60_000,
    emailConfig: { emailColumns: ['email'], contentTemplate: { id: template.id }, fromAddress: { domain: { id: DOMAIN }, localPart: 'news' } },
  });
  await setCampaignStatus(stack.api, campaign.id!, 'on');
  expect((await awaitCompletion(stack.api, campaign.id!, { timeoutMs: 120_000 })).status).toBe('complete');

  const want: Record<string, string[]> = {
    bounce: ['accepted', 'bounced'],
    complaint: ['accepted', 'delivered', 'complained'],
    click: ['accepted', 'delivered', 'opened', 'clicked'],
    silent: ['accepted', 'unknown'],
    plain: ['accepted', 'delivered'],
  };
  const byContact = (results: Result[]) => {
    const map: Record<string, string[]> = {};
    for (const r of results) (map[r.contactId!] ??= []).push(r.outcome);
    return map;
  };
  await campaignResults(campaign.id!, (r) => Object.entries(want).every(([id, outcomes]) => (byContact(r)[id]?.length ?? 0) >= outcomes.length));
  await drainProviderEvents();
  const results = await allCampaignResults(campaign.id!);
  expect(byContact(results)).toEqual(want);
  expect(results.find((r) => r.contactId === 'bounce' && r.outcome === 'bounced')).toMatchObject({ reason: 'Permanent/General' });
  expect(results.find((r) => r.contactId === 'complaint' && r.outcome === 'complained')).toMatchObject({ reason: 'abuse' });
  expect(results.find((r) => r.contactId === 'silent' && r.outcome === 'unknown')).toMatchObject({ reason: 'delivery.timeout' });

  const messageOf = (id: string) => results.find((r) => r.contactId === id)!.messageId;
  const suppression = (address: string) =>
    eventually(async () => {
      const page = (await (await stack.fetch(`/api/v2/herald/suppressions?channel=email&address=${encodeURIComponent(address)}`)).json()) as { total: number; entities: unknown[] };
      return page.total === 1 ? page.entities[0] : undefined;
    });
  expect(await suppression(addresses['bounce']!)).toMatchObject({ channel: 'email', reason: 'bounce', source: 'ses:bounce:Permanent/General', campaignId: campaign.id, messageId: messageOf('bounce') });
  expect(await suppression(addresses['complaint']!)).toMatchObject({ channel: 'email', reason: 'complaint', source: 'ses:complaint:abuse', campaignId: campaign.id, messageId: messageOf('complaint') });
  // Neither a delivered nor a silent address is suppressed.
  for (const id of ['plain', 'click', 'silent']) {
    const page = (await (await stack.fetch(`/api/v2/herald/suppressions?channel=email&address=${encodeURIComponent(addresses[id]!)}`)).json()) as { total: number };
    expect(page.total).toBe(0);
  }
  // Reporting: the complaint is the message's outcome, the click stays in the history of a delivered one.
  expect(await messageOutcome(messageOf('complaint'))).toMatchObject({ outcome: 'complained', reason: 'abuse' });
  expect(await messageOutcome(messageOf('click'))).toMatchObject({ outcome: 'delivered' });
});
