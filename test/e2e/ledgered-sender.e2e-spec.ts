// The send ledger (libs/sending LedgeredSender) on the real PostgreSQL, with the email-gateway's
// own migrations, and the real broker: what an ambiguous send comes to under each send guarantee.
// At most once it is `unknown` and never sent again; at least once it is sent again (after an
// ambiguous answer or a crash mid-call), up to the attempts allowed, and two instances taking over
// one abandoned claim call the provider once. The provider is a script; its calls are counted.
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { decodeRecord, DeliveryResultV1, EventEnvelope, Topic } from '@herald/contracts';
import { ConsumedEvent, EventPublisher } from '@herald/messaging';
import { LedgeredMessage, LedgeredSender, LedgeredSenderOptions, SendOutcome } from '@herald/sending';
import { dropDatabase, ensureDatabase } from '../../tools/infra/postgres';
import { deleteTopics } from '../../tools/infra/topics';
import { testInfrastructure } from './support/infrastructure';
import { Initial1764400000000 } from '../../apps/email-gateway/src/migrations/1764400000000-initial';
import { DeliveryState1765000000060 } from '../../apps/email-gateway/src/migrations/1765000000060-delivery-state';
import { SenderRate1765000000090 } from '../../apps/email-gateway/src/migrations/1765000000090-sender-rate';
import { SendAttempts1765000000100 } from '../../apps/email-gateway/src/migrations/1765000000100-send-attempts';

jest.setTimeout(120_000);

const TABLE = 'email.send_attempt';
const prefix = `it-ledger-${randomUUID().slice(0, 8)}.`;
const resultTopic = `${prefix}${Topic.DeliveryResult}`;

let url: string;
let kafka: Kafka;
let publisher: EventPublisher;
let consumer: Consumer;
const sources: DataSource[] = [];
let db: DataSource;

/** Every result on the topic, in order, and the next offset read. */
const results: DeliveryResultV1[] = [];
let nextOffset = 0n;

/** What the provider answers each call of a message (then `accepted`), and the calls it got. */
const scripts = new Map<string, SendOutcome[]>();
const calls = new Map<string, number>();
let callMs = 0;

const ambiguous: SendOutcome = { outcome: 'unknown', reason: 'TimeoutError', detail: 'no answer within 10000 ms' };

async function provider(data: LedgeredMessage): Promise<SendOutcome> {
  const n = calls.get(data.messageId) ?? 0;
  calls.set(data.messageId, n + 1);
  if (callMs) await new Promise((r) => setTimeout(r, callMs));
  return scripts.get(data.messageId)?.[n] ?? { outcome: 'accepted', providerMessageId: `ses-${data.messageId}-${n + 1}` };
}

async function dataSource(): Promise<DataSource> {
  const source = new DataSource({ type: 'postgres', url, extra: { max: 4 } });
  await source.initialize();
  sources.push(source);
  return source;
}

function sender(source: DataSource, options: Partial<LedgeredSenderOptions<LedgeredMessage>> = {}): LedgeredSender<LedgeredMessage> {
  return new LedgeredSender<LedgeredMessage>(source, publisher, {
    channel: 'email',
    table: TABLE,
    columns: { sender: 'text' },
    claimValues: () => ({ sender: 'news@example.com' }),
    send: provider,
    concurrency: 8,
    staleClaimMs: 5_000,
    ...options,
  });
}

function rendered(): ConsumedEvent<LedgeredMessage> {
  const data: LedgeredMessage = { messageId: randomUUID(), division: 'home', campaignId: randomUUID(), runId: randomUUID(), contactId: randomUUID() };
  const envelope: EventEnvelope<LedgeredMessage> = {
    specversion: '1.0',
    id: randomUUID(),
    type: 'io.herald.message.email-rendered.v1',
    source: '/herald/test',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  return { envelope, data, topic: 'rendered', partition: 0, offset: '0', key: data.messageId };
}

/** A claim left by an attempt that died mid-call an hour ago. */
async function abandonedClaim(e: ConsumedEvent<LedgeredMessage>, attempts = 1): Promise<void> {
  await db.query(
    `INSERT INTO ${TABLE} (message_id, division, campaign_id, run_id, contact_id, sender, state, claimed_at, attempts)
     VALUES ($1, $2, $3, $4, $5, 'news@example.com', 'claimed', now() - interval '1 hour', $6)`,
    [e.data.messageId, e.data.division, e.data.campaignId, e.data.runId, e.data.contactId, attempts],
  );
}

async function ledger(id: string): Promise<{ state: string; attempts: number; reason: string | null; detail: string | null; provider_message_id: string | null }> {
  const [row] = await db.query(`SELECT state, attempts, reason, detail, provider_message_id FROM ${TABLE} WHERE message_id = $1`, [id]);
  return row;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The results published for a message, once the probe has read everything on the topic so far. */
async function resultsOf(id: string): Promise<DeliveryResultV1[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(resultTopic).finally(() => admin.disconnect());
  await until(() => nextOffset >= BigInt(end!.high), 'the probe to read the result topic');
  return results.filter((r) => r.messageId === id);
}

beforeAll(async () => {
  const infra = await testInfrastructure();
  url = infra.databaseUrl(`herald_e2e_ledger_${randomUUID().slice(0, 8)}`);
  await ensureDatabase(url);
  const migrator = new DataSource({
    type: 'postgres',
    url,
    schema: 'email',
    migrationsTableName: 'migrations',
    migrations: [Initial1764400000000, DeliveryState1765000000060, SenderRate1765000000090, SendAttempts1765000000100],
  });
  await migrator.initialize();
  await migrator.query('CREATE SCHEMA email');
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();
  db = await dataSource();

  kafka = new Kafka({ clientId: 'it-ledger', brokers: infra.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: resultTopic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  publisher = new EventPublisher({ brokers: infra.brokers, service: 'it-ledger', topicPrefix: prefix }, kafka);
  consumer = kafka.consumer({ groupId: `${prefix}probe` });
  await consumer.connect();
  await consumer.subscribe({ topic: resultTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      results.push(decodeRecord(message.value, message.headers as Record<string, Buffer>).data as DeliveryResultV1);
      nextOffset = BigInt(message.offset) + 1n;
    },
  });
});

afterAll(async () => {
  await consumer?.disconnect();
  await publisher?.onApplicationShutdown();
  for (const source of sources) await source.destroy();
  if (url) await dropDatabase(url);
  if (kafka) await deleteTopics({ brokers: (await testInfrastructure()).brokers, prefix }).catch(() => undefined);
});

beforeEach(() => {
  callMs = 0;
});

describe('an ambiguous answer from the provider', () => {
  it('at least once: is sent again, and the message has one result, accepted', async () => {
    const e = rendered();
    scripts.set(e.data.messageId, [ambiguous]);
    await sender(db, { guarantee: 'at-least-once' }).send([e]);
    expect(calls.get(e.data.messageId)).toBe(2);
    const published = await resultsOf(e.data.messageId);
    expect(published.map((r) => [r.outcome, r.providerMessageId])).toEqual([['accepted', `ses-${e.data.messageId}-2`]]);
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'accepted', attempts: 2, provider_message_id: `ses-${e.data.messageId}-2` });
  });

  it('at most once (the default): is unknown, never sent again', async () => {
    const e = rendered();
    scripts.set(e.data.messageId, [ambiguous]);
    await sender(db).send([e]);
    expect(calls.get(e.data.messageId)).toBe(1);
    const published = await resultsOf(e.data.messageId);
    expect(published.map((r) => [r.outcome, r.reason])).toEqual([['unknown', 'TimeoutError']]);
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'unknown', attempts: 1, reason: 'TimeoutError' });
  });

  it('at least once: is unknown after all once the attempts allowed were ambiguous', async () => {
    const e = rendered();
    scripts.set(e.data.messageId, [ambiguous, ambiguous, ambiguous, ambiguous]);
    await sender(db, { guarantee: 'at-least-once', maxAttempts: 3 }).send([e]);
    expect(calls.get(e.data.messageId)).toBe(3);
    const published = await resultsOf(e.data.messageId);
    expect(published.map((r) => [r.outcome, r.reason])).toEqual([['unknown', 'TimeoutError']]);
    expect(published[0]!.detail).toContain('attempt 3 of 3');
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'unknown', attempts: 3 });
  });

  it('at least once: a definite rejection is final at once', async () => {
    const e = rendered();
    scripts.set(e.data.messageId, [{ outcome: 'rejected', reason: 'MessageRejected', detail: 'Email address is not verified' }]);
    await sender(db, { guarantee: 'at-least-once' }).send([e]);
    expect(calls.get(e.data.messageId)).toBe(1);
    expect((await resultsOf(e.data.messageId)).map((r) => r.outcome)).toEqual(['rejected']);
  });
});

describe('a claim left unfinished by a crash', () => {
  it('at least once: is taken over and sent again, once', async () => {
    const e = rendered();
    await abandonedClaim(e);
    await sender(db, { guarantee: 'at-least-once' }).send([e]);
    expect(calls.get(e.data.messageId)).toBe(1);
    expect((await resultsOf(e.data.messageId)).map((r) => r.outcome)).toEqual(['accepted']);
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'accepted', attempts: 2 });
  });

  it('at most once: is unknown (interrupted), not sent', async () => {
    const e = rendered();
    await abandonedClaim(e);
    await sender(db).send([e]);
    expect(calls.get(e.data.messageId)).toBeUndefined();
    expect((await resultsOf(e.data.messageId)).map((r) => [r.outcome, r.reason])).toEqual([['unknown', 'interrupted']]);
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'unknown', reason: 'interrupted' });
  });

  it('at least once, its attempts used up: is unknown (interrupted), not sent', async () => {
    const e = rendered();
    await abandonedClaim(e, 3);
    await sender(db, { guarantee: 'at-least-once', maxAttempts: 3 }).send([e]);
    expect(calls.get(e.data.messageId)).toBeUndefined();
    expect((await resultsOf(e.data.messageId)).map((r) => [r.outcome, r.reason])).toEqual([['unknown', 'interrupted']]);
    expect(await ledger(e.data.messageId)).toMatchObject({ state: 'unknown', attempts: 3 });
  });

  it('at least once: two instances taking over the same claims call the provider once per message', async () => {
    const events = Array.from({ length: 24 }, () => rendered());
    for (const e of events) await abandonedClaim(e);
    callMs = 200;
    const [a, b] = [sender(await dataSource(), { guarantee: 'at-least-once' }), sender(await dataSource(), { guarantee: 'at-least-once' })];
    await Promise.all([a.send(events), b.send(events)]);
    for (const e of events) {
      expect(calls.get(e.data.messageId)).toBe(1);
      expect(await ledger(e.data.messageId)).toMatchObject({ state: 'accepted', attempts: 2 });
      // Both instances publish the one outcome (the loser finds it recorded): never another.
      const outcomes = new Set((await resultsOf(e.data.messageId)).map((r) => `${r.outcome}:${r.providerMessageId}`));
      expect([...outcomes]).toEqual([`accepted:ses-${e.data.messageId}-1`]);
    }
  });
});

it('a claim another attempt holds is waited for, and the rest of its chunk is sent meanwhile', async () => {
  const [mine, theirs] = [rendered(), rendered()];
  // The other attempt claimed `theirs` just now and records its outcome half a second later.
  await db.query(
    `INSERT INTO ${TABLE} (message_id, division, sender, state) VALUES ($1, 'home', 'news@example.com', 'claimed')`,
    [theirs.data.messageId],
  );
  const other = new Promise((r) => setTimeout(r, 500)).then(() =>
    db.query(`UPDATE ${TABLE} SET state = 'accepted', provider_message_id = 'ses-other', finished_at = now() WHERE message_id = $1`, [theirs.data.messageId]),
  );
  await sender(db).send([mine, theirs]);
  await other;
  expect(calls.get(mine.data.messageId)).toBe(1);
  expect(calls.get(theirs.data.messageId)).toBeUndefined();
  expect(await ledger(mine.data.messageId)).toMatchObject({ state: 'accepted' });
  expect((await resultsOf(theirs.data.messageId)).map((r) => [r.outcome, r.providerMessageId])).toEqual([['accepted', 'ses-other']]);
});
