// The walking skeleton, end to end: REST (through the official Genesys SDK) → contacts → Kafka →
// dnc → templates → sms-gateway → the SMS simulator → results → campaign progress. Real broker,
// real PostgreSQL, every service its own process.
import { DLQ_HEADERS } from '@herald/messaging';
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { flushedSimulatorLog, readTopic, startTestStack, TestStack } from './support/test-stack';

interface Result {
  messageId: string;
  campaignId?: string;
  outcome: string;
  reason?: string;
}
const TERMINAL = new Set(['accepted', 'rejected', 'skipped', 'failed', 'unknown']);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 19080 });
});

afterAll(async () => {
  await stack?.close();
});

/** Every terminal result of one campaign on the delivery-result topic, once `expected` messages have one. */
async function terminalResults(campaignId: string, expected: number): Promise<Map<string, Set<string>>> {
  const byMessage = new Map<string, Set<string>>();
  await readTopic<Result>(stack, 'herald.delivery.result.v1', (records) => {
    byMessage.clear();
    for (const r of records) {
      const v = r.value as Result;
      if (typeof v !== 'object' || v.campaignId !== campaignId || !TERMINAL.has(v.outcome)) continue;
      byMessage.set(v.messageId, (byMessage.get(v.messageId) ?? new Set()).add(v.outcome));
    }
    return byMessage.size >= expected;
  });
  return byMessage;
}

async function acceptedTimesByMessage(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await flushedSimulatorLog(stack)) {
    const id = m.context?.['heraldMessageId'] ?? 'missing';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

it('runs a 1,000-contact SMS campaign to complete: one terminal result per contact, 100%, nothing sent twice', async () => {
  const handle = await prepareSmsCampaign(stack.api, { contacts: 1_000, messagesPerMinute: 600_000, invalidShare: 0.02, name: 'e2e thousand' });
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 180_000 });

  expect(outcome.status).toBe('complete');
  expect(outcome.progress.totalNumberOfContacts).toBe(1_000);
  expect(outcome.progress.percentage).toBe(100);
  expect(outcome.progress.numberOfContactsMessaged).toBe(1_000 - handle.invalidContacts);
  expect(outcome.progress.numberOfContactsSkipped).toEqual({ 'invalid-address': handle.invalidContacts });

  const results = await terminalResults(handle.campaignId, 1_000);
  expect(results.size).toBe(1_000);
  for (const outcomes of results.values()) expect(outcomes.size).toBe(1); // never two different endings

  const accepted = await acceptedTimesByMessage();
  const sentForCampaign = [...results.entries()].filter(([, o]) => o.has('accepted')).map(([id]) => accepted.get(id) ?? 0);
  expect(sentForCampaign).toHaveLength(1_000 - handle.invalidContacts);
  expect(sentForCampaign.every((n) => n === 1)).toBe(true);
  // The rendered text reached the provider, filled with the contact's own values.
  const acceptedId = [...results.entries()].find(([, o]) => o.has('accepted'))![0];
  const sent = (await flushedSimulatorLog(stack)).find((m) => m.context?.['heraldMessageId'] === acceptedId);
  expect(sent?.body).toMatch(/^Hi [A-Z][a-z]+, your appointment is tomorrow at \d{1,2}:00\. Reply STOP to opt out\.$/);
});

it('carries trace context across Kafka hops and keeps phone numbers out of the logs', async () => {
  const traceOf = (tp: string | undefined) => tp?.split('-')[1];
  const dispatched = await readTopic<{ messageId: string }>(stack, 'herald.contact.dispatch.v1', (r) => r.length >= 980); // the first campaign's
  const cleared = await readTopic<{ messageId: string }>(stack, 'herald.contact.cleared.v1', (r) => r.length >= 980);
  const w3c = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;
  expect(dispatched.every((r) => w3c.test(r.event?.traceparent ?? ''))).toBe(true);
  // The dnc stage continues the trace of the event it consumed.
  const dispatchTrace = new Map(dispatched.map((r) => [(r.value as { messageId: string }).messageId, traceOf(r.event?.traceparent)]));
  const matched = cleared.filter((r) => dispatchTrace.has((r.value as { messageId: string }).messageId));
  expect(matched.length).toBeGreaterThan(0);
  expect(matched.some((r) => traceOf(r.event?.traceparent) === dispatchTrace.get((r.value as { messageId: string }).messageId))).toBe(true);
  // Correlation: a cleared event names the dispatch event that caused it.
  expect(cleared.every((r) => r.event?.causationid)).toBe(true);

  const logs = stack.supervisor.logDir;
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const file of readdirSync(logs)) {
    const text = readFileSync(`${logs}/${file}`, 'utf8');
    expect({ file, leaked: text.match(/\+1202555\d{4}/)?.[0] }).toEqual({ file, leaked: undefined });
  }
});

it('sends a malformed event on a consumed topic to the dead-letter topic with its reason, and keeps consuming', async () => {
  const producer = stack.kafka.producer();
  await producer.connect();
  const topic = `${stack.settings.topicPrefix}herald.contact.dispatch.v1`;
  await producer.send({
    topic,
    messages: [
      { key: 'poison-1', value: 'this is not json', headers: { 'content-type': 'application/json', ce_id: 'poison-1', ce_type: 'io.herald.contact.dispatched.v1', ce_source: '/test', ce_specversion: '1.0' } },
      { key: 'poison-2', value: JSON.stringify({ messageId: 'not-a-uuid' }), headers: { 'content-type': 'application/json', ce_id: 'poison-2', ce_type: 'io.herald.contact.dispatched.v1', ce_source: '/test', ce_specversion: '1.0' } },
    ],
  });
  await producer.disconnect();

  const dead = await readTopic(stack, 'herald.deadletter.v1', (records) => records.filter((r) => r.key?.startsWith('poison-')).length >= 2);
  const poison = dead.filter((r) => r.key?.startsWith('poison-'));
  expect(poison).toHaveLength(2);
  const byKey = Object.fromEntries(poison.map((r) => [r.key, r.headers]));
  expect(byKey['poison-1']![DLQ_HEADERS.stage]).toBe('decode');
  expect(byKey['poison-1']![DLQ_HEADERS.reason]).toMatch(/not valid JSON/);
  expect(byKey['poison-2']![DLQ_HEADERS.stage]).toBe('validate');
  expect(byKey['poison-2']![DLQ_HEADERS.reason]).toMatch(/messageId/);
  expect(byKey['poison-2']![DLQ_HEADERS.topic]).toBe(topic);
  expect(byKey['poison-2']![DLQ_HEADERS.group]).toBe(`${stack.settings.topicPrefix}herald.dnc`);

  // The dnc consumer went on: a campaign after the poison completes.
  const handle = await prepareSmsCampaign(stack.api, { contacts: 50, messagesPerMinute: 600_000, name: 'e2e after poison' });
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 60_000 });
  expect(outcome.status).toBe('complete');
  expect(outcome.progress.numberOfContactsMessaged).toBe(50);
});

it('completes a campaign when the templates service is killed mid-campaign and restarted: none lost, none sent twice', async () => {
  const contacts = 1_000;
  // 6,000/min = 100/s: about ten seconds of sending, so the kill lands in the middle.
  const handle = await prepareSmsCampaign(stack.api, { contacts, messagesPerMinute: 6_000, name: 'e2e kill templates' });
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  for (;;) {
    const p = await stack.api.outbound.getOutboundMessagingcampaignProgress(handle.campaignId);
    if ((p.numberOfContactsMessaged ?? 0) >= 150) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stack.supervisor.stop('templates', 'SIGKILL');
  const atKill = await stack.api.outbound.getOutboundMessagingcampaignProgress(handle.campaignId);
  expect(atKill.numberOfContactsMessaged ?? 0).toBeLessThan(contacts); // it really was mid-campaign
  expect(atKill.totalNumberOfContacts).toBe(contacts); // the audience is known from the start
  expect(atKill.percentage).toBeLessThan(100);
  stack.supervisor.start('templates');
  await stack.supervisor.waitReady('templates');

  const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 180_000 });
  expect(outcome.status).toBe('complete');
  expect(outcome.progress.percentage).toBe(100);
  expect(outcome.progress.numberOfContactsMessaged).toBe(contacts);

  const results = await terminalResults(handle.campaignId, contacts);
  expect(results.size).toBe(contacts);
  const accepted = await acceptedTimesByMessage();
  const times = [...results.keys()].map((id) => accepted.get(id) ?? 0);
  expect(times.filter((n) => n === 0)).toHaveLength(0); // none lost
  expect(times.filter((n) => n > 1)).toHaveLength(0); // none sent twice
});
