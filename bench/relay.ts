// The ceiling: the same number of messages through the same number of Kafka hops as a campaign
// (dispatch → cleared → rendered → result → progress), each hop a consumer group that reads a
// batch and produces it on, with no business logic, no database and no validation.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export interface RelayResult {
  case: 'bare-relay';
  messages: number;
  hops: number;
  seconds: number;
  messagesPerSecond: number;
}

export async function runRelay(brokers: string[], messages: number, hops = 4, partitions = 6): Promise<RelayResult> {
  const prefix = `bench-relay-${randomUUID().slice(0, 8)}.`;
  const topics = Array.from({ length: hops + 1 }, (_, i) => `${prefix}hop${i}`);
  const kafka = new Kafka({ clientId: 'bench-relay', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const consumers = [];
  let received = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  // A ~700-byte payload, like a dispatched contact.
  const payload = Buffer.from(JSON.stringify({ messageId: randomUUID(), contactData: { firstName: 'Ada', phone: '+12025550123', note: 'x'.repeat(500) } }));
  for (let hop = 0; hop <= hops; hop++) {
    const consumer = kafka.consumer({ groupId: `${prefix}g${hop}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: topics[hop]!, fromBeginning: true });
    const last = hop === hops;
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (last) {
          received += batch.messages.length;
          if (received >= messages) resolveDone();
          return;
        }
        await producer.send({ topic: topics[hop + 1]!, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
      },
    });
    consumers.push(consumer);
  }
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < messages; sent += 1_000) {
    const n = Math.min(1_000, messages - sent);
    await producer.send({ topic: topics[0]!, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value: payload })) });
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(consumers.map((c) => c.disconnect()));
  await producer.disconnect();
  await admin.deleteTopics({ topics });
  await admin.disconnect();
  return { case: 'bare-relay', messages, hops, seconds: round(seconds), messagesPerSecond: Math.round(messages / seconds) };
}

export const round = (n: number) => Math.round(n * 100) / 100;
