import type { Request, Response } from 'express';

export interface StreamSettings {
  /** How often the progress is read for changes. */
  pollMs: number;
  /** How often a comment line keeps an idle connection (and the proxies on its way) open. */
  heartbeatMs: number;
}

/**
 * Serves a server-sent event stream (`text/event-stream`): an event `progress` with the current
 * value at once and whenever it changes, a `: heartbeat` comment every `heartbeatMs`. Ends when
 * the client goes away.
 */
export function serveEventStream<T>(req: Request, res: Response, settings: StreamSettings, read: () => Promise<T>): void {
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
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), settings.heartbeatMs);
  const close = () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(heartbeat);
  };
  req.on('close', close);
  const poll = async () => {
    try {
      const value = await read();
      const data = JSON.stringify(value);
      if (closed) return;
      if (data !== last) {
        last = data;
        res.write(`event: progress\nid: ${++seq}\ndata: ${data}\n\n`);
      }
    } catch (e) {
      if (closed) return;
      res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
    }
    if (!closed) timer = setTimeout(() => void poll(), settings.pollMs);
  };
  void poll();
}
