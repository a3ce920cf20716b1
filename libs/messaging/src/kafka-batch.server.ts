import { Catch, Inject, Injectable, Logger, RpcExceptionFilter } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, Link } from '@opentelemetry/api';
import { DEAD_LETTER_TOPIC, decodeEvents, EnvelopeDecodeError, isBatchRecord, isTopicName, STRUCTURED_CONTENT_TYPE, validateEvent } from '@herald/contracts';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BatchOutcome, ConsumedEvent } from './consumed-event';
import { backoffMs, isTransient } from './error-policy';
import { EventPublisher, RawRecord } from './event-publisher';
import { DEFAULT_FETCH, MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';

type Stage = 'decode' | 'validate' | 'handle';
/** What is dead-lettered: a consumed record, or one event of a batched record as a structured record of its own. */
type DeadRecord = Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
interface DeadLetter {
  message: DeadRecord;
  stage: Stage;
  reason: string;
}

/** How often a consumer busy in a handler tells the group it is alive (the consumer's heartbeat interval). */
const HEARTBEAT_WHILE_HANDLING_MS = 3_000;

/** Dead-letter headers: the reason and where the event came from. */
export const DLQ_HEADERS = {
  reason: 'x-herald-dlq-reason',
  stage: 'x-herald-dlq-stage',
  topic: 'x-herald-dlq-topic',
  partition: 'x-herald-dlq-partition',
  offset: 'x-herald-dlq-offset',
  group: 'x-herald-dlq-group',
  failedAt: 'x-herald-dlq-failed-at',
  /** For one event of a batched record: its index in the record's array. */
  batchIndex: 'x-herald-dlq-batch-index',
} as const;

class StopRequested extends Error {}

/**
 * One event of a batched record as a structured-mode record of its own, to dead-letter it without
 * the record's other events (which were handled). Its key and headers are the batched record's.
 */
function eventRecord(message: KafkaMessage, event: unknown, index: number): DeadRecord {
  return {
    key: message.key,
    value: Buffer.from(JSON.stringify(event)),
    headers: { ...message.headers, 'content-type': STRUCTURED_CONTENT_TYPE, [DLQ_HEADERS.batchIndex]: String(index) },
    offset: message.offset,
  };
}

function isBatchOutcome(value: unknown): value is BatchOutcome {
  return typeof value === 'object' && value !== null && Array.isArray((value as BatchOutcome).rejected);
}

/** Lets a handler's own error reach the transport, so it can tell transient from permanent. */
@Catch()
export class PassThroughRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * A Nest microservice transport that consumes Kafka in batches. Handlers are `@EventPattern(topic)`
 * methods that receive `ConsumedEvent<T>[]`. Per partition batch:
 *  1. each message is decoded (CloudEvents binary or structured) and validated against the topic's
 *     contract; what fails goes to the dead-letter topic with the reason, and the rest goes on;
 *  2. the handler runs once for the valid events; a transient failure (database or broker away)
 *     is retried with backoff until it passes; any other failure is retried `maxAttempts` times,
 *     then the events are retried one by one and those still failing are dead-lettered;
 *  3. only then are the offsets resolved and committed. On shutdown the batch in flight finishes
 *     (or, if it is still retrying, is left uncommitted to be redelivered).
 */
@Injectable()
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaBatchServer.name);
  private consumer?: Consumer;
  private joined = false;
  private stopping = false;
  private readonly groupId: string;
  private readonly maxAttempts: number;
  /** For each event of a batched record: the record to dead-letter it as (see eventRecord). */
  private readonly origins = new WeakMap<ConsumedEvent<unknown>, () => DeadRecord>();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
  ) {
    super();
    // The prefix isolates environments sharing a broker: their groups must not meet either.
    this.groupId = `${options.topicPrefix ?? ''}${options.groupId ?? `herald.${options.service}`}`;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** True when this instance consumes nothing, or has joined its group. */
  get isReady(): boolean {
    return this.messageHandlers.size === 0 || this.joined;
  }

  get subscribedTopics(): string[] {
    return [...this.messageHandlers.keys()];
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  private async start(): Promise<void> {
    const topics = this.subscribedTopics;
    for (const t of topics) if (!isTopicName(t)) throw new Error(`@EventPattern('${t}') is not a topic of the catalogue`);
    await this.publisher.connect();
    if (topics.length === 0) return;
    const fetch = this.options.fetch ?? DEFAULT_FETCH;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      minBytes: fetch.minBytes,
      maxWaitTimeInMs: fetch.maxWaitMs,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.logger.error({ msg: 'consumer crashed', err: payload.error.message, restart: payload.restart });
      if (!payload.restart && !this.stopping) {
        // kafkajs gives up only on non-retriable errors: let the orchestrator restart us cleanly.
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => this.publisher.physicalTopic(t)), fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.logger.log({ msg: 'consuming', topics, groupId: this.groupId });
  }

  private logicalTopic(physical: string): string {
    const prefix = this.options.topicPrefix ?? '';
    return physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const topic = this.logicalTopic(batch.topic);
    const events: ConsumedEvent<unknown>[] = [];
    const dead: DeadLetter[] = [];
    for (const message of batch.messages) {
      const headers = message.headers as Record<string, Buffer | string | undefined>;
      let decoded;
      try {
        decoded = decodeEvents(message.value, headers);
      } catch (e) {
        const reason = e instanceof EnvelopeDecodeError ? e.reason : `undecodable: ${(e as Error).message}`;
        dead.push({ message, stage: 'decode', reason });
        continue;
      }
      const batched = isBatchRecord(headers);
      decoded.forEach((item, index) => {
        // An event of a batched record fails alone: it is dead-lettered as a record of its own.
        const origin = () => (batched ? eventRecord(message, item.ok ? item.envelope : item.element, index) : message);
        if (!item.ok) {
          dead.push({ message: origin(), stage: 'decode', reason: item.reason });
          return;
        }
        const { envelope } = item;
        const result = isTopicName(topic) ? validateEvent(topic, envelope.type, envelope.data) : { ok: false as const, reason: `unknown topic ${topic}` };
        if (!result.ok) {
          dead.push({ message: origin(), stage: 'validate', reason: result.reason });
          return;
        }
        envelope.data = result.value;
        const event: ConsumedEvent<unknown> = { envelope, data: result.value, topic, partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? null };
        if (batched) this.origins.set(event, origin);
        events.push(event);
      });
    }
    try {
      if (events.length > 0) dead.push(...(await this.handleWithPolicy(topic, events, payload)));
      if (dead.length > 0) await this.retryTransient(payload, () => this.deadLetter(batch.topic, batch.partition, dead));
    } catch (e) {
      if (e instanceof StopRequested) return; // leave the batch uncommitted: it is redelivered
      throw e;
    }
    payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await payload.heartbeat();
  }

  /** Runs the handler under the error policy; returns the events to dead-letter (failed or rejected by the handler). */
  private async handleWithPolicy(topic: string, events: ConsumedEvent<unknown>[], payload: EachBatchPayload): Promise<DeadLetter[]> {
    const whole = await this.attempt(topic, events, payload);
    if (whole.ok) return this.rejectedOf(payload, whole.outcome);
    if (events.length === 1) return [{ message: this.messageOf(payload, events[0]!), stage: 'handle', reason: whole.reason }];
    this.logger.warn({ msg: 'batch keeps failing; retrying its events one by one', topic, size: events.length, err: whole.reason });
    const dead: DeadLetter[] = [];
    for (const event of events) {
      const result = await this.attempt(topic, [event], payload);
      if (result.ok) dead.push(...this.rejectedOf(payload, result.outcome));
      else dead.push({ message: this.messageOf(payload, event), stage: 'handle', reason: result.reason });
    }
    return dead;
  }

  private rejectedOf(payload: EachBatchPayload, outcome: BatchOutcome | undefined): DeadLetter[] {
    return (outcome?.rejected ?? []).map(({ event, reason }) => ({ message: this.messageOf(payload, event), stage: 'handle', reason }));
  }

  /** Up to maxAttempts tries (transient failures retried without limit): the handler's outcome, or the last error. */
  private async attempt(
    topic: string,
    events: ConsumedEvent<unknown>[],
    payload: EachBatchPayload,
  ): Promise<{ ok: true; outcome?: BatchOutcome } | { ok: false; reason: string }> {
    let failures = 0;
    let transientFailures = 0;
    for (;;) {
      this.throwIfStopping(payload);
      try {
        return { ok: true, outcome: await this.heartbeatWhile(payload, () => this.invoke(topic, events)) };
      } catch (e) {
        if (isTransient(e)) {
          transientFailures++;
          this.logger.warn({ msg: 'transient failure; retrying', topic, attempt: transientFailures, err: (e as Error).message });
          await this.pause(backoffMs(transientFailures), payload);
          continue;
        }
        failures++;
        const reason = (e as Error)?.message ?? String(e);
        if (failures >= this.maxAttempts) return { ok: false, reason };
        await this.pause(backoffMs(failures, 50, 2_000), payload);
      }
    }
  }

  /**
   * A handler may take longer than the session timeout (a sender held to its rate): the group
   * membership is kept alive meanwhile, or the partition would move to another instance mid-batch.
   */
  private async heartbeatWhile<R>(payload: EachBatchPayload, work: () => Promise<R>): Promise<R> {
    const beating = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_WHILE_HANDLING_MS);
    try {
      return await work();
    } finally {
      clearInterval(beating);
    }
  }

  private async invoke(topic: string, events: ConsumedEvent<unknown>[]): Promise<BatchOutcome | undefined> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) throw new Error(`no handler for ${topic}`);
    const links: Link[] = [];
    let parent = ROOT_CONTEXT;
    for (const e of events) {
      const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: e.envelope.traceparent, tracestate: e.envelope.tracestate });
      const sc = trace.getSpanContext(ctx);
      if (sc) {
        if (links.length === 0) parent = ctx;
        if (links.length < 128) links.push({ context: sc });
      }
    }
    const tracer = trace.getTracer('@herald/messaging');
    const span = tracer.startSpan(`process ${topic}`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.batch.message_count': events.length, 'messaging.consumer.group.name': this.groupId },
    }, parent);
    try {
      return await context.with(trace.setSpan(parent, span), async () => {
        const result = await handler(events);
        const outcome: unknown = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        return isBatchOutcome(outcome) ? outcome : undefined;
      });
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      throw e;
    } finally {
      span.end();
    }
  }

  private async retryTransient(payload: EachBatchPayload, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.throwIfStopping(payload);
      try {
        return await fn();
      } catch (e) {
        this.logger.warn({ msg: 'dead-lettering failed; retrying', err: (e as Error).message });
        await this.pause(backoffMs(attempt), payload);
      }
    }
  }

  private messageOf(payload: EachBatchPayload, event: ConsumedEvent<unknown>): DeadRecord {
    return this.origins.get(event)?.() ?? payload.batch.messages.find((m) => m.offset === event.offset)!;
  }

  private async deadLetter(topic: string, partition: number, dead: DeadLetter[]): Promise<void> {
    const failedAt = new Date().toISOString();
    const records: RawRecord[] = dead.map(({ message, stage, reason }) => {
      const headers: Record<string, Buffer | string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined && !Array.isArray(v)) headers[k] = v;
      Object.assign(headers, {
        [DLQ_HEADERS.reason]: reason.slice(0, 2000),
        [DLQ_HEADERS.stage]: stage,
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: String(partition),
        [DLQ_HEADERS.offset]: message.offset,
        [DLQ_HEADERS.group]: this.groupId,
        [DLQ_HEADERS.failedAt]: failedAt,
      });
      return { key: message.key, value: message.value, headers };
    });
    await this.publisher.publishRaw(DEAD_LETTER_TOPIC, records);
    for (const d of dead) this.logger.warn({ msg: 'dead-lettered', topic, partition, offset: d.message.offset, stage: d.stage, reason: d.reason });
  }

  private throwIfStopping(payload: EachBatchPayload): void {
    if (this.stopping || !payload.isRunning() || payload.isStale()) throw new StopRequested();
  }

  private async pause(ms: number, payload: EachBatchPayload): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      this.throwIfStopping(payload);
      await new Promise((r) => setTimeout(r, Math.min(1_000, until - Date.now())));
      await payload.heartbeat().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    // kafkajs waits for the batch in flight before leaving the group.
    await this.consumer?.disconnect();
    this.joined = false;
  }

  on(): never {
    throw new Error('KafkaBatchServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
