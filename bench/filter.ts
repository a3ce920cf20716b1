// The filter stage against a big DNC list: the dnc service alone, consuming a backlog of
// dispatched contacts from Kafka, checking each against the campaign's DNC list and the global
// suppression, and publishing `cleared` or `skipped` for every one of them — the work it does
// inside a campaign, with decoding, validation, batching and publishing included.
//
// 1. The DNC list is loaded through the edge (bench/dnc.ts), N entries.
// 2. dnc is stopped; M dispatched-contact events are produced onto its input topic, every 10th
//    address on the list, as the contacts service writes them: batched, many events per record.
// 3. dnc is started; the rate is M over the time from its first output to its M-th.
// Baseline in the same run: a one-hop bare Kafka relay of M messages (consume and re-produce,
// nothing else) — what the broker and kafkajs alone allow on this machine.
//
//   node dist/bench/filter.js     (BENCH_FILTER_CONTACTS, default 1,000,000; BENCH_DNC_ENTRIES, default 1,000,000)
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ContactDispatchedV1, decodeEvents, encodeBatch, HOME_DIVISION, structuredJson, Topic } from '@herald/contracts';
import { BATCH_RECORD_BYTES } from '@herald/messaging';
import { ensureKafka } from '../tools/infra/kafka';
import { startIsolatedStack } from '../tools/stack/isolated-stack';
import { heraldClient } from '../tools/demo/herald-client';
import { urlOf } from '../tools/stack/services';
import { listedNumber, loadDncList } from './dnc';
import { round, runRelay } from './relay';

export interface FilterResult {
  case: 'dnc-filter-stage';
  dncEntries: number;
  contacts: number;
  skippedDnc: number;
  cleared: number;
  seconds: number;
  contactsPerSecond: number;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

export async function runFilterBench(brokers: string[], opts: { contacts: number; dncEntries: number; dncEnv?: Record<string, string> }): Promise<FilterResult> {
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase: 28280, services: ['dnc', 'edge'], extraEnv: { dnc: opts.dncEnv ?? {} } });
  const kafka = new Kafka({ clientId: 'bench-filter', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `bench-filter-${stack.id}`, maxWaitTimeInMs: 100 });
  try {
    log(`filter: loading ${opts.dncEntries} DNC entries`);
    const edge = urlOf(stack.settings, 'edge');
    const { accessToken } = await heraldClient(edge, stack.settings.bootstrapClient);
    const loaded = await loadDncList(edge, accessToken, opts.dncEntries);
    await stack.supervisor.stop('dnc');

    log(`filter: producing ${opts.contacts} dispatched contacts`);
    await producer.connect();
    const campaignId = randomUUID();
    const runId = randomUUID();
    const contactListId = randomUUID();
    const input = `${stack.settings.topicPrefix}${Topic.ContactDispatch}`;
    for (let sent = 0; sent < opts.contacts; sent += 2_000) {
      const n = Math.min(2_000, opts.contacts - sent);
      const texts = Array.from({ length: n }, (_, j) => {
        const i = sent + j;
        const data: ContactDispatchedV1 = {
          messageId: randomUUID(),
          campaignId,
          runId,
          contactListId,
          contactId: `c${i}`,
          division: HOME_DIVISION,
          channel: 'sms',
          // Every 10th on the list; the others in an area code the list does not hold.
          address: i % 10 === 0 ? listedNumber((i * 7) % opts.dncEntries) : `+1999${String(2_000_000 + i).padStart(7, '0')}`,
          senderAddress: '+15555550100',
          templateId: randomUUID(),
          contactData: { firstName: 'Ada', lastName: 'Lovelace', phone: 'x', city: 'London' },
          dncListIds: [loaded.listId],
        };
        return structuredJson({ specversion: '1.0', id: randomUUID(), type: ContactDispatchedV1.type, source: '/bench/filter', time: new Date().toISOString(), datacontenttype: 'application/json', data });
      });
      // Records of up to BATCH_RECORD_BYTES, as EventPublisher cuts them.
      const messages = [];
      for (let from = 0; from < texts.length; ) {
        let to = from;
        for (let bytes = 0; to < texts.length && (to === from || bytes + texts[to]!.length <= BATCH_RECORD_BYTES); to++) bytes += texts[to]!.length + 1;
        const record = encodeBatch(texts.slice(from, to), randomUUID());
        messages.push({ key: record.key, value: record.value, headers: record.headers });
        from = to;
      }
      // One record a request: two records of ~256 KiB on one partition would pass the broker's 1 MiB.
      for (const message of messages) await producer.send({ topic: input, acks: -1, messages: [message] });
    }

    let cleared = 0;
    let skippedDnc = 0;
    let first = 0n;
    let last = 0n;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    await consumer.connect();
    await consumer.subscribe({ topics: [`${stack.settings.topicPrefix}${Topic.ContactCleared}`, `${stack.settings.topicPrefix}${Topic.DeliveryResult}`], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const now = process.hrtime.bigint();
        if (first === 0n) first = now;
        // Cleared contacts come batched (many per record); results one per record.
        if (batch.topic.endsWith(Topic.ContactCleared)) for (const m of batch.messages) cleared += decodeEvents(m.value, m.headers as never).length;
        else skippedDnc += batch.messages.length;
        if (cleared + skippedDnc >= opts.contacts) {
          last = now;
          resolve();
        }
      },
    });
    log('filter: starting dnc on the backlog');
    stack.supervisor.start('dnc');
    await done;
    const seconds = Number(last - first) / 1e9;
    return { case: 'dnc-filter-stage', dncEntries: opts.dncEntries, contacts: opts.contacts, skippedDnc, cleared, seconds: round(seconds), contactsPerSecond: Math.round(opts.contacts / seconds) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await stack.close();
  }
}

/** The filter stage and, in the same run, a one-hop bare relay of as many messages. */
export async function runFilterCase(brokers: string[]) {
  const contacts = Number(process.env['BENCH_FILTER_CONTACTS'] ?? 1_000_000);
  const dncEntries = Number(process.env['BENCH_DNC_ENTRIES'] ?? 1_000_000);
  const filter = await runFilterBench(brokers, { contacts, dncEntries });
  const relay = await runRelay(brokers, contacts, 1);
  return [filter, relay, { case: 'ratio', filterOverOneHopRelay: round(filter.contactsPerSecond / relay.messagesPerSecond) }];
}

if (require.main === module) {
  ensureKafka()
    .then((broker) => runFilterCase(broker.brokers))
    .then((results) => results.forEach((r) => console.log(JSON.stringify(r))))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
