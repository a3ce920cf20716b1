import { EventEnvelope } from '@herald/contracts';

/** One validated event handed to a handler, with where it came from. */
export interface ConsumedEvent<T> {
  envelope: EventEnvelope<T>;
  data: T;
  topic: string;
  partition: number;
  /** The record's offset; the events of one batched record share it. */
  offset: string;
  /** The record's key; for an event of a batched record, that record's key (its first event's). */
  key: string | null;
}

/**
 * What a handler may return: events of the batch it refuses for good (a valid event that asks for
 * something impossible, e.g. a template that does not exist). The transport dead-letters them at
 * once with the reason (stage `handle`), without the retries meant for failures, and commits.
 */
export interface BatchOutcome<T = unknown> {
  rejected: { event: ConsumedEvent<T>; reason: string }[];
}

/** A batch handler: must be idempotent, because a batch can be delivered again after a crash. */
export type BatchHandler<T> = (events: ConsumedEvent<T>[]) => Promise<void | BatchOutcome<T>>;
