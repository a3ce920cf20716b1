import { decodeEvents, Topic } from '@herald/contracts';
import type { Kafka, ProducerBatch } from 'kafkajs';
import { BATCH_RECORD_BYTES, EventPublisher } from './event-publisher';

/** A producer whose produce requests are recorded and answered when the test says so. */
function fakeKafka() {
  const requests: { batch: ProducerBatch; answer: (error?: Error) => void }[] = [];
  const producer = {
    on: () => undefined,
    events: { DISCONNECT: 'producer.disconnect' },
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: ProducerBatch) => new Promise<void>((resolve, reject) => requests.push({ batch, answer: (e) => (e ? reject(e) : resolve()) })),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests };
}

const flush = () => new Promise((r) => setImmediate(r));
const event = (i: number) => ({ key: `m${i}`, data: { messageId: `m${i}` } as never });
const keysOf = (batch: ProducerBatch) => batch.topicMessages!.flatMap((t) => t.messages.map((m) => m.key));
/** The message ids of a request's events, in order, whichever content mode their records are in. */
const idsOf = (batch: ProducerBatch) =>
  batch.topicMessages!.flatMap((t) => t.messages.flatMap((m) => decodeEvents(m.value as Buffer, m.headers as never).map((e) => (e.ok ? (e.envelope.data as { messageId: string }).messageId : '?'))));

describe('EventPublisher.publishOne', () => {
  it('sends the first event at once and gathers those arriving meanwhile into one next request (one record, on a batched topic)', async () => {
    const { kafka, requests } = fakeKafka();
    const publisher = new EventPublisher({ brokers: [], service: 'test', topicPrefix: 't.' }, kafka);
    const done: string[] = [];
    const calls = [1, 2, 3, 4].map((i) => publisher.publishOne(Topic.ContactDispatch, event(i)).then(() => done.push(`m${i}`)));
    await flush();
    expect(requests.map((r) => idsOf(r.batch))).toEqual([['m1']]);
    expect(requests[0]!.batch.acks).toBe(-1);
    expect(requests[0]!.batch.topicMessages![0]!.topic).toBe(`t.${Topic.ContactDispatch}`);

    requests[0]!.answer();
    await flush();
    expect(done).toEqual(['m1']);
    expect(requests.map((r) => idsOf(r.batch))).toEqual([['m1'], ['m2', 'm3', 'm4']]);
    expect(keysOf(requests[1]!.batch)).toEqual(['m2']);

    requests[1]!.answer();
    await Promise.all(calls);
    expect(done).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('rejects every event of a failed request, and only those', async () => {
    const { kafka, requests } = fakeKafka();
    const publisher = new EventPublisher({ brokers: [], service: 'test' }, kafka);
    const first = publisher.publishOne(Topic.ContactDispatch, event(1));
    const second = [2, 3].map((i) => publisher.publishOne(Topic.ContactDispatch, event(i)));
    await flush();
    requests[0]!.answer();
    await first;
    await flush();
    requests[1]!.answer(new Error('broker unavailable'));
    for (const p of second) await expect(p).rejects.toThrow('broker unavailable');

    // The publisher keeps working after a failure.
    const later = publisher.publishOne(Topic.ContactDispatch, event(4));
    await flush();
    requests[2]!.answer();
    await expect(later).resolves.toBeUndefined();
  });
});

describe('EventPublisher.publish', () => {
  const big = (i: number) => ({ key: `m${i}`, data: { messageId: `m${i}`, contactData: { note: 'x'.repeat(1_000) } } as never });

  it('writes a batched topic as records of many events, cut at BATCH_RECORD_BYTES, in order, each keyed by its first event', async () => {
    const { kafka, requests } = fakeKafka();
    const publisher = new EventPublisher({ brokers: [], service: 'test' }, kafka);
    const sent = publisher.publish(Topic.ContactDispatch, Array.from({ length: 1_000 }, (_, i) => big(i)));
    // Requests go one after another: answer each as it comes, until the publish resolves.
    let done = false;
    void sent.then(() => (done = true));
    for (let answered = 0; !done; await flush()) {
      for (; answered < requests.length; answered++) requests[answered]!.answer();
    }
    const records = requests.flatMap((r) => r.batch.topicMessages!.flatMap((t) => t.messages));
    await sent;
    // ~1.3 kB an event: about 200 a record, so 5 records, not 1,000.
    expect(records.length).toBeGreaterThanOrEqual(5);
    expect(records.length).toBeLessThanOrEqual(6);
    const ids: string[] = [];
    for (const record of records) {
      const events = decodeEvents(record.value as Buffer, record.headers as never);
      const first = events[0]!;
      expect(first.ok && record.key).toBe(first.ok && (first.envelope.data as { messageId: string }).messageId);
      expect((record.value as Buffer).length).toBeLessThanOrEqual(BATCH_RECORD_BYTES + 1_500);
      for (const e of events) if (e.ok) ids.push((e.envelope.data as { messageId: string }).messageId);
    }
    expect(ids).toEqual(Array.from({ length: 1_000 }, (_, i) => `m${i}`));
  });

  it('writes a topic that is not batched as one record per event', async () => {
    const { kafka, requests } = fakeKafka();
    const publisher = new EventPublisher({ brokers: [], service: 'test' }, kafka);
    const sent = publisher.publish(Topic.CampaignAudience, [1, 2, 3].map(event));
    await flush();
    expect(requests.map((r) => keysOf(r.batch))).toEqual([['m1', 'm2', 'm3']]);
    requests[0]!.answer();
    await sent;
  });
});
