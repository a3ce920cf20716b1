import { Topic } from '@herald/contracts';
import type { Kafka, ProducerBatch } from 'kafkajs';
import { EventPublisher } from './event-publisher';

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

describe('EventPublisher.publishOne', () => {
  it('sends the first event at once and gathers those arriving meanwhile into one next request', async () => {
    const { kafka, requests } = fakeKafka();
    const publisher = new EventPublisher({ brokers: [], service: 'test', topicPrefix: 't.' }, kafka);
    const done: string[] = [];
    const calls = [1, 2, 3, 4].map((i) => publisher.publishOne(Topic.ContactDispatch, event(i)).then(() => done.push(`m${i}`)));
    await flush();
    expect(requests.map((r) => keysOf(r.batch))).toEqual([['m1']]);
    expect(requests[0]!.batch.acks).toBe(-1);
    expect(requests[0]!.batch.topicMessages![0]!.topic).toBe(`t.${Topic.ContactDispatch}`);

    requests[0]!.answer();
    await flush();
    expect(done).toEqual(['m1']);
    expect(requests.map((r) => keysOf(r.batch))).toEqual([['m1'], ['m2', 'm3', 'm4']]);

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
