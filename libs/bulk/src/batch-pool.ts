import Piscina from 'piscina';

/** A thread idle this long exits (piscina's default, 0, would end it between two batches). */
const IDLE_THREAD_MS = 30_000;

/**
 * The worker threads of an import's row checks: `name`, exported by the module `filename` (which
 * should import only what the check needs: every thread loads it). Threads start with the first
 * batch and exit when idle. A thread holds a batch or two at a time, so its heap is kept small:
 * ~120 MiB less RSS than V8's defaults for two threads, at the same CPU per row (DNC import).
 */
export function batchPool<B, R>(filename: string, name: string, threads: number): Piscina<B, R> {
  const resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };
  return new Piscina<B, R>({ filename, name, minThreads: 0, maxThreads: threads, idleTimeout: IDLE_THREAD_MS, resourceLimits });
}
