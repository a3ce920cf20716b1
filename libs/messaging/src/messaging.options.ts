export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

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
}
