import type { Request, Response } from 'express';

export interface StreamSettings {
  /** How often the progress is read for changes. */
  pollMs: number;
  /** How often a comment line keeps an idle connection (and the proxies on its way) open. */
  heartbeatMs: number;
}

/** One reading of a polled value: the value, or why it could not be read. */
export type Reading<T> = { value: T } | { error: Error };

/**
 * One poll per key, its readings fanned out to every subscriber: N dashboards watching one
 * campaign make one query loop, not N. A key is read at once when its first subscriber comes,
 * then every `pollMs` while it has any; a later subscriber gets the last reading at once.
 */
export class SharedPoll<T> {
  private readonly keys = new Map<string, { listeners: Set<(r: Reading<T>) => void>; last?: Reading<T>; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly pollMs: number,
    private readonly read: (key: string) => Promise<T>,
  ) {}

  /** Keys being polled now (for tests and metrics). */
  get size(): number {
    return this.keys.size;
  }

  /** Calls `listener` with each reading of `key`; the function returned unsubscribes. */
  subscribe(key: string, listener: (r: Reading<T>) => void): () => void {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { listeners: new Set() };
      this.keys.set(key, entry);
      void this.poll(key, entry);
    } else if (entry.last) {
      listener(entry.last);
    }
    entry.listeners.add(listener);
    const subscribed = entry;
    return () => {
      subscribed.listeners.delete(listener);
      if (subscribed.listeners.size === 0 && this.keys.get(key) === subscribed) {
        clearTimeout(subscribed.timer);
        this.keys.delete(key);
      }
    };
  }

  private async poll(key: string, entry: { listeners: Set<(r: Reading<T>) => void>; last?: Reading<T>; timer?: NodeJS.Timeout }): Promise<void> {
    let reading: Reading<T>;
    try {
      reading = { value: await this.read(key) };
    } catch (e) {
      reading = { error: e as Error };
    }
    if (this.keys.get(key) !== entry) return; // everyone left while it was read
    entry.last = reading;
    for (const listener of [...entry.listeners]) listener(reading);
    entry.timer = setTimeout(() => void this.poll(key, entry), this.pollMs);
  }
}

/**
 * Serves a server-sent event stream (`text/event-stream`): an event `progress` with the current
 * value at once and whenever it changes, a `: heartbeat` comment every `heartbeatMs`. `subscribe`
 * delivers the readings (a SharedPoll's) and answers how to stop; `view` turns a reading into what
 * this client may see (undefined: nothing to send). Ends when the client goes away.
 */
export function serveEventStream<T, V>(
  req: Request,
  res: Response,
  settings: Pick<StreamSettings, 'heartbeatMs'>,
  subscribe: (listener: (r: Reading<T>) => void) => () => void,
  view: (value: T) => V | Error,
): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Tells nginx-style proxies in front not to buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  let last = '';
  let seq = 0;
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), settings.heartbeatMs);
  const send = (event: string, data: unknown) => {
    const text = JSON.stringify(data);
    if (event === 'progress' && text === last) return;
    last = event === 'progress' ? text : '';
    res.write(`event: ${event}\n${event === 'progress' ? `id: ${++seq}\n` : ''}data: ${text}\n\n`);
  };
  const unsubscribe = subscribe((reading) => {
    const shown = 'error' in reading ? reading.error : view(reading.value);
    if (shown instanceof Error) send('error', { message: shown.message });
    else send('progress', shown);
  });
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
