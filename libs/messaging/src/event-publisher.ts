import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { contentModeOf, defaultTypeOf, encodeBatch, encodeBinary, encodeStructured, EventEnvelope, PayloadOf, structuredJson, TopicName } from '@herald/contracts';
import { randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, Message, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';

/** Most bytes of records in one produce request: half the broker's default `message.max.bytes` (1 MiB). */
export const PRODUCE_REQUEST_BYTES = 512 * 1024;

/**
 * Most bytes of events in one record of a batched topic (`contentModeOf`): a quarter of the broker's
 * `message.max.bytes`, so that even a record of non-ASCII text (up to 3 bytes per character
 * counted) fits. An event bigger than this goes in a record of its own.
 */
export const BATCH_RECORD_BYTES = 256 * 1024;

function messageBytes(m: Message): number {
  let n = (m.value as Buffer).length + (typeof m.key === 'string' ? m.key.length : 0) + 64;
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + (typeof v === 'string' ? v.length : Buffer.isBuffer(v) ? v.length : 0);
  return n;
}

export interface OutgoingEvent<T> {
  data: T;
  /** Partition key: events with one key stay in order. */
  key: string;
  subject?: string;
  /** CloudEvents type; defaults to the topic's first event type. */
  type?: string;
  /** The event this one is a consequence of: its id becomes causationid, its correlation and division carry over. */
  causedBy?: EventEnvelope;
  correlationId?: string;
  division?: string;
  id?: string;
}

/** An event encoded for its topic: a record of its own (`message`), or its JSON text for a batch (`text`). */
interface Encoded {
  topic: TopicName;
  key: string;
  message?: Message;
  text?: string;
}

/** A message that is passed on as it came (dead letters): raw bytes and headers. */
export interface RawRecord {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string>;
}

/**
 * Produces CloudEvents (in the topic's content mode, `contentModeOf`) to the catalogue's topics, type-checked against the
 * topic registry. One `publish` call is one produce request (more past PRODUCE_REQUEST_BYTES), so
 * consumers pass whole batches; request handlers, with one event each, use `publishOne`.
 */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly producer: Producer;
  private connecting?: Promise<void>;
  private connected = false;
  /** publishOne's events waiting for the produce request in flight to return. */
  private readonly gathering: { encoded: Encoded; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  readonly source: string;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    kafka: Kafka,
  ) {
    this.source = `/herald/${options.service}`;
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
      this.connecting = undefined;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  physicalTopic(topic: string): string {
    return `${this.options.topicPrefix ?? ''}${topic}`;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.producer.connect().then(
      () => {
        this.connected = true;
      },
      (e: unknown) => {
        this.connecting = undefined;
        throw e;
      },
    );
    await this.connecting;
  }

  /** The caller's trace context, to carry in the events it publishes. */
  private traceCarrier(): Record<string, string> {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return carrier;
  }

  private envelopeFor<T>(topic: TopicName, event: OutgoingEvent<T>, carrier: Record<string, string>): EventEnvelope<T> {
    const cause = event.causedBy;
    return {
      specversion: '1.0',
      id: event.id ?? randomUUID(),
      type: event.type ?? defaultTypeOf(topic),
      source: this.source,
      time: new Date().toISOString(),
      subject: event.subject,
      datacontenttype: 'application/json',
      correlationid: event.correlationId ?? cause?.correlationid ?? cause?.id,
      causationid: cause?.id,
      division: event.division ?? cause?.division,
      traceparent: carrier['traceparent'],
      tracestate: carrier['tracestate'],
      data: event.data,
    };
  }

  /**
   * One event in its topic's content mode: its own record, or on a batched topic the event's JSON
   * text, to go into a batch (`records`).
   */
  private encode<T>(topic: TopicName, event: OutgoingEvent<T>, carrier: Record<string, string>): Encoded {
    const envelope = this.envelopeFor(topic, event, carrier);
    const mode = contentModeOf(topic);
    if (mode === 'batched') return { topic, key: event.key, text: structuredJson(envelope) };
    return { topic, key: event.key, message: (mode === 'binary' ? encodeBinary : encodeStructured)(envelope, event.key) };
  }

  /**
   * Encoded events as records, in order: each record event on its own, consecutive batched events
   * of one topic in as few records as BATCH_RECORD_BYTES allows, each keyed by its first event (so
   * that events of one key keep their order).
   */
  private records(encoded: Encoded[]): { topic: TopicName; message: Message }[] {
    const records: { topic: TopicName; message: Message }[] = [];
    let batch: { topic: TopicName; key: string; texts: string[]; bytes: number } | undefined;
    const close = () => {
      if (batch) records.push({ topic: batch.topic, message: encodeBatch(batch.texts, batch.key) });
      batch = undefined;
    };
    for (const e of encoded) {
      if (e.message) {
        close();
        records.push({ topic: e.topic, message: e.message });
        continue;
      }
      if (batch && (batch.topic !== e.topic || batch.bytes + e.text!.length > BATCH_RECORD_BYTES)) close();
      batch ??= { topic: e.topic, key: e.key, texts: [], bytes: 0 };
      batch.texts.push(e.text!);
      batch.bytes += e.text!.length + 1;
    }
    close();
    return records;
  }

  async publish<T extends TopicName>(topic: T, events: OutgoingEvent<PayloadOf<T>>[]): Promise<void> {
    if (events.length === 0) return;
    await this.publishAll([{ topic, events }]);
  }

  /**
   * Several topics in as few produce requests as the broker accepts (acks from all in-sync
   * replicas). A request is cut at PRODUCE_REQUEST_BYTES so that no partition's record batch can
   * pass the broker's 1 MiB `message.max.bytes`: a consumer catching up on a backlog hands over
   * thousands of events at once. Requests go one after another, so events of one key keep their order.
   */
  async publishAll(batches: { topic: TopicName; events: OutgoingEvent<unknown>[] }[]): Promise<void> {
    const carrier = this.traceCarrier();
    await this.produce(this.records(batches.flatMap((b) => b.events.map((e) => this.encode(b.topic, e, carrier)))));
  }

  /**
   * One event, for callers that each have one (request handlers): concurrent calls share produce
   * requests. While a request is in flight the next events gather, and go together when it
   * returns (group commit), so a thousand concurrent requests cost a handful of round trips
   * rather than a thousand; on a batched topic the gathered events also share records. Resolves
   * once the event's request is acknowledged; rejects if it failed.
   */
  publishOne<T extends TopicName>(topic: T, event: OutgoingEvent<PayloadOf<T>>): Promise<void> {
    // Encoded now, in the caller's context: the trace parent is the caller's.
    const encoded = this.encode(topic, event, this.traceCarrier());
    return new Promise<void>((resolve, reject) => {
      this.gathering.push({ encoded, resolve, reject });
      if (!this.flushing) void this.flushGathered();
    });
  }

  private async flushGathered(): Promise<void> {
    this.flushing = true;
    try {
      while (this.gathering.length > 0) {
        const batch = this.gathering.splice(0, this.gathering.length);
        try {
          await this.produce(this.records(batch.map((b) => b.encoded)));
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async produce(records: { topic: TopicName; message: Message }[]): Promise<void> {
    const requests: TopicMessages[][] = [];
    let current: TopicMessages[] = [];
    let bytes = 0;
    let slot: TopicMessages | undefined;
    for (const { topic, message } of records) {
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > PRODUCE_REQUEST_BYTES) {
        requests.push(current);
        current = [];
        slot = undefined;
        bytes = 0;
      }
      const physical = this.physicalTopic(topic);
      if (slot?.topic !== physical) slot = current.find((t) => t.topic === physical);
      if (!slot) current.push((slot = { topic: physical, messages: [] }));
      slot.messages.push(message);
      bytes += size;
    }
    if (current.length > 0) requests.push(current);
    if (requests.length === 0) return;
    await this.connect();
    for (const topicMessages of requests) await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  }

  /** Passes records on unchanged (used for dead letters). `topic` is a logical name. */
  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    await this.producer.send({ topic: this.physicalTopic(topic), messages: records, acks: -1 });
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.producer.disconnect();
    } catch (e) {
      this.logger.warn({ msg: 'producer disconnect failed', err: (e as Error).message });
    }
  }
}
