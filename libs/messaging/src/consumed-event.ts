import { EventEnvelope } from '@herald/contracts';

/** One validated event handed to a handler, with where it came from. */
export interface ConsumedEvent<T> {
  envelope: EventEnvelope<T>;
  data: T;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

/** A batch handler: must be idempotent, because a batch can be delivered again after a crash. */
export type BatchHandler<T> = (events: ConsumedEvent<T>[]) => Promise<void>;
