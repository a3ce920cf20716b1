// The messaging library against the real broker: batches reach handlers validated, a transient
// failure is retried until it passes, a handler that keeps failing on one event dead-letters that
// event (with the reason) after bounded attempts while the rest of the partition moves on, and
// offsets are committed only after processing (a restarted consumer gets nothing twice). On a
// batched topic (many events per record), each event is validated, handled and dead-lettered alone.
import { Controller, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { CampaignAudienceV1, ContactDispatchedV1, encodeBatch, HOME_DIVISION, Topic } from '@herald/contracts';
import { connectKafka, ConsumedEvent, DLQ_HEADERS, EventPublisher, MessagingModule, TransientError } from '@herald/messaging';
import { testInfrastructure } from './support/infrastructure';
import { deleteTopics, ensureTopics } from '../../tools/infra/topics';
import { Kafka, logLevel } from 'kafkajs';

const seen: { runId: string; attempt: number }[] = [];
const attempts = new Map<string, number>();
const POISON = randomUUID();
const FLAKY = randomUUID();
const SLOW = randomUUID();
const dispatched: string[] = [];
/** The record offset of each dispatched contact handled. */
const offsets = new Map<string, string>();
/** A dispatched contact the probe refuses for good (BatchOutcome), as a handler refuses a missing template. */
const REFUSED = randomUUID();
/** Longer than the consumer's 30 s session timeout. */
const SLOW_MS = 40_000;

@Controller()
class ProbeConsumer {
  @EventPattern(Topic.CampaignAudience)
  async handle(events: ConsumedEvent<CampaignAudienceV1>[]): Promise<void> {
    for (const e of events) {
      const n = (attempts.get(e.data.runId) ?? 0) + 1;
      attempts.set(e.data.runId, n);
      if (e.data.runId === POISON) throw new Error('boom: this event can never be handled');
      if (e.data.runId === FLAKY && n <= 5) throw new TransientError('database away');
      if (e.data.runId === SLOW) await new Promise((r) => setTimeout(r, SLOW_MS));
    }
    for (const e of events) seen.push({ runId: e.data.runId, attempt: attempts.get(e.data.runId)! });
  }

  @EventPattern(Topic.ContactDispatch)
  async handleDispatch(events: ConsumedEvent<ContactDispatchedV1>[]) {
    const rejected = events.filter((e) => e.data.messageId === REFUSED).map((event) => ({ event, reason: 'refused: no such template' }));
    for (const e of events) {
      if (e.data.messageId === REFUSED) continue;
      dispatched.push(e.data.messageId);
      offsets.set(e.data.messageId, e.offset);
    }
    return { rejected };
  }
}

let brokers: string[];
const prefix = `it-msg-${randomUUID().slice(0, 8)}.`;

async function startApp(): Promise<INestApplication> {
  @Module({
    imports: [MessagingModule.forRoot({ brokers, service: 'probe', topicPrefix: prefix, maxAttempts: 3 })],
    controllers: [ProbeConsumer],
  })
  class ProbeModule {}
  const app = await NestFactory.create(ProbeModule, { logger: false });
  connectKafka(app);
  await app.startAllMicroservices();
  await app.init();
  return app;
}

const audience = (runId: string): CampaignAudienceV1 => ({ campaignId: randomUUID(), runId, totalContacts: 1, dispatchedContacts: 0, exhausted: false });

const contact = (messageId: string): ContactDispatchedV1 => ({
  messageId,
  division: HOME_DIVISION,
  channel: 'sms',
  address: '+15555550123',
  senderAddress: '+15555550100',
  contactData: { firstName: 'Ada' },
  dncListIds: [],
});

/** The dead letters from `topic` (logical name), once there are `count` of them (and a second later, to see that no more come). */
async function readDeadLetters(kafka: Kafka, topic: string, count: number): Promise<Record<string, string>[]> {
  const reader = kafka.consumer({ groupId: `it-reader-${randomUUID()}` });
  await reader.connect();
  await reader.subscribe({ topic: `${prefix}herald.deadletter.v1`, fromBeginning: true });
  const dead: Record<string, string>[] = [];
  await reader.run({
    eachMessage: async ({ message }) => {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v) h[k] = v.toString();
      h['value'] = message.value?.toString() ?? '';
      if (h[DLQ_HEADERS.topic] === `${prefix}${topic}`) dead.push(h);
    },
  });
  await until(() => dead.length >= count);
  await new Promise((r) => setTimeout(r, 1_000)); // and nothing more
  await reader.disconnect();
  return dead;
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  brokers = (await testInfrastructure()).brokers;
  await ensureTopics({ brokers, prefix });
});

afterAll(async () => {
  await deleteTopics({ brokers, prefix }).catch(() => undefined);
});

it('retries transient failures, dead-letters a poison event after bounded attempts, and commits only what was processed', async () => {
  let app = await startApp();
  const publisher = app.get(EventPublisher);
  const before = [randomUUID(), randomUUID()];
  const after = [randomUUID(), randomUUID()];
  // One key: one partition, so the poison sits between the others in order.
  const key = 'same-partition';
  await publisher.publish(Topic.CampaignAudience, [...before, FLAKY, POISON, ...after].map((runId) => ({ key, data: audience(runId) })));

  await until(() => [...before, FLAKY, ...after].every((id) => seen.some((s) => s.runId === id)));
  // Failed transiently more often than maxAttempts allows for other errors, and was still not dead-lettered.
  expect(seen.find((s) => s.runId === FLAKY)!.attempt).toBeGreaterThanOrEqual(6);
  expect(seen.some((s) => s.runId === POISON)).toBe(false);

  const dead = await readDeadLetters(new Kafka({ brokers, logLevel: logLevel.NOTHING }), Topic.CampaignAudience, 1);
  expect(dead).toHaveLength(1);
  // The original record, unchanged: the audience topic is written in structured mode.
  const original = JSON.parse(dead[0]!['value']!);
  expect(original.data.runId).toBe(POISON);
  expect(original.type).toBe(CampaignAudienceV1.type);
  expect(dead[0]![DLQ_HEADERS.stage]).toBe('handle');
  expect(dead[0]![DLQ_HEADERS.reason]).toMatch(/boom/);
  expect(dead[0]![DLQ_HEADERS.group]).toBe(`${prefix}herald.probe`);
  expect(dead[0]!['content-type']).toMatch(/^application\/cloudevents\+json/); // its headers too

  // Restart with the same group: committed offsets mean nothing already processed comes back.
  await app.close();
  const handledBefore = seen.length;
  app = await startApp();
  const marker = randomUUID();
  await app.get(EventPublisher).publish(Topic.CampaignAudience, [{ key, data: audience(marker) }]);
  await until(() => seen.some((s) => s.runId === marker));
  expect(seen.slice(handledBefore).map((s) => s.runId)).toEqual([marker]);
  await app.close();
});

it('publishes a batch bigger than the broker takes in one request, in order, as several requests', async () => {
  // ~12,000 events on one key (one partition) are several MiB: one produce request would be
  // refused with MESSAGE_TOO_LARGE (the broker's message.max.bytes is 1 MiB per record batch).
  const app = await startApp();
  try {
    const runIds = Array.from({ length: 12_000 }, () => randomUUID());
    const handledBefore = seen.length;
    await app.get(EventPublisher).publish(Topic.CampaignAudience, runIds.map((runId) => ({ key: 'bulk', data: audience(runId) })));
    await until(() => seen.length - handledBefore >= runIds.length, 120_000);
    expect(seen.slice(handledBefore).map((s) => s.runId)).toEqual(runIds);
  } finally {
    await app.close();
  }
});

it('keeps its partition through a handler slower than the session timeout: the batch is handled once', async () => {
  const app = await startApp();
  try {
    const publisher = app.get(EventPublisher);
    const next = randomUUID();
    await publisher.publish(Topic.CampaignAudience, [SLOW, next].map((runId) => ({ key: 'slow-partition', data: audience(runId) })));
    await until(() => seen.some((s) => s.runId === next), SLOW_MS + 60_000);
    // Without heartbeats during the handler the group would have dropped this member after 30 s,
    // its commit would have failed, and the batch would have been handled again.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(attempts.get(SLOW)).toBe(1);
    expect(seen.filter((s) => s.runId === SLOW)).toHaveLength(1);
  } finally {
    await app.close();
  }
});

it('carries many events per record on a batched topic, and validates, handles and dead-letters each alone', async () => {
  const app = await startApp();
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  try {
    // Through the publisher: 3,000 events become a few batched records, handled in order.
    const ids: string[] = Array.from({ length: 3_000 }, () => randomUUID());
    await app.get(EventPublisher).publish(Topic.ContactDispatch, ids.map((id) => ({ key: 'batch', data: contact(id) })));
    await until(() => ids.every((id) => offsets.has(id)));
    const mine = new Set(ids);
    expect(dispatched.filter((id) => mine.has(id))).toEqual(ids);
    // ~400 bytes an event: a handful of records of up to 256 KiB, not 3,000.
    const records = new Set(ids.map((id) => offsets.get(id)));
    expect(records.size).toBeGreaterThan(1);
    expect(records.size).toBeLessThan(20);

    // A record written by hand: among valid events, one that is not an event, one its schema refuses, one the handler refuses.
    const valid = [randomUUID(), randomUUID(), randomUUID()];
    const event = (data: unknown) => ({ specversion: '1.0', id: randomUUID(), type: ContactDispatchedV1.type, source: '/it', time: new Date().toISOString(), datacontenttype: 'application/json', data });
    const elements = [
      JSON.stringify(event(contact(valid[0]!))),
      JSON.stringify({ specversion: '1.0', type: ContactDispatchedV1.type, source: '/it', data: contact(randomUUID()) }), // no id
      JSON.stringify(event({ ...contact(randomUUID()), address: 42 })),
      JSON.stringify(event(contact(valid[1]!))),
      JSON.stringify(event(contact(REFUSED))),
      JSON.stringify(event(contact(valid[2]!))),
    ];
    await producer.connect();
    const record = encodeBatch(elements, 'hand-written');
    await producer.send({ topic: `${prefix}${Topic.ContactDispatch}`, messages: [record] });
    await until(() => valid.every((id) => dispatched.includes(id)));
    expect(dispatched.slice(-3)).toEqual(valid);

    const dead = await readDeadLetters(kafka, Topic.ContactDispatch, 3);
    expect(dead.map((d) => [d[DLQ_HEADERS.stage], d[DLQ_HEADERS.batchIndex]])).toEqual([
      ['decode', '1'],
      ['validate', '2'],
      ['handle', '4'],
    ]);
    expect(dead[0]![DLQ_HEADERS.reason]).toBe('missing CloudEvents attribute "id"');
    expect(dead[1]![DLQ_HEADERS.reason]).toMatch(/address/);
    expect(dead[2]![DLQ_HEADERS.reason]).toBe('refused: no such template');
    // Each is its one event, as a structured record: not the batch with the events that were handled.
    for (const d of dead) expect(d['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(dead.map((d) => JSON.parse(d['value']!))).toEqual([1, 2, 4].map((i) => JSON.parse(elements[i]!)));
  } finally {
    await producer.disconnect();
    await app.close();
  }
});
