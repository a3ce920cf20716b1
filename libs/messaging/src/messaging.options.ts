export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/**
 * How much a consumer's fetch waits for: the broker answers once `minBytes` are there or after
 * `maxWaitMs`. Under load, fetches then carry whole batches (each stage's cost is mostly per batch:
 * a query, a produce request, an offset commit); a lone message waits at most `maxWaitMs` per hop.
 */
export interface FetchSettings {
  minBytes: number;
  maxWaitMs: number;
}

/** KAFKA_FETCH_MIN_BYTES and KAFKA_FETCH_MAX_WAIT_MS by default (docs/operations.md). */
export const DEFAULT_FETCH: FetchSettings = { minBytes: 64 * 1024, maxWaitMs: 100 };

export interface MessagingOptions {
  brokers: string[];
  /** Names this service on the wire: Kafka client id and the CloudEvents `source` (`/herald/<service>`). */
  service: string;
  /** Consumer group; instances of one service share it. Defaults to `herald.<service>`; the topic prefix is prepended. */
  groupId?: string;
  /** Prepended to every topic name and consumer group: isolates environments (and test runs) sharing one broker. */
  topicPrefix?: string;
  /** Partitions of different topics/partitions processed at once by one instance. */
  partitionsConsumedConcurrently?: number;
  /** Attempts of a failing (non-transient) batch or event before it is dead-lettered. */
  maxAttempts?: number;
  /** Default DEFAULT_FETCH. */
  fetch?: FetchSettings;
}
