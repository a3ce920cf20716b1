import { Inject, Injectable, Logger, NestMiddleware, OnApplicationShutdown } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Dispatcher, errors, Pool } from 'undici';
import { isUpload, Route, routeFor } from './routes';

export const ROUTES = Symbol('ROUTES');
export const MAX_REQUEST_BYTES = Symbol('MAX_REQUEST_BYTES');
export const MAX_UPLOAD_BYTES = Symbol('MAX_UPLOAD_BYTES');
export const UPSTREAM_TIMEOUT_MS = Symbol('UPSTREAM_TIMEOUT_MS');

/** Hop-by-hop headers (RFC 9110 §7.6.1): meant for one connection, never forwarded; `proxy-*` too. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** `headers` without the hop-by-hop ones, those named in its Connection header included. */
function endToEnd(headers: IncomingHttpHeaders, drop?: ReadonlySet<string>): Record<string, string | string[]> {
  const connection = headers['connection'];
  const named = connection ? new Set(connection.toLowerCase().split(',').map((name) => name.trim())) : undefined;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named?.has(name) || drop?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Not forwarded upstream either: Node's server has already answered `Expect: 100-continue` to
 * the client, and the body follows.
 */
const ANSWERED_HERE = new Set(['expect']);

/** X-Forwarded-For/-Port/-Proto appended to any the client sent, X-Forwarded-Host kept or set to Host. */
function addForwarded(headers: Record<string, string | string[]>, req: Request): void {
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const port = /:(\d+)$/.exec(req.headers.host ?? '')?.[1] ?? (encrypted ? '443' : '80');
  const append = (name: string, value: string) => {
    const before = headers[name];
    headers[name] = before ? `${String(before)},${value}` : value;
  };
  append('x-forwarded-for', req.socket.remoteAddress ?? '');
  append('x-forwarded-port', port);
  append('x-forwarded-proto', encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] ??= req.headers.host ?? '';
}

/**
 * The one public entrypoint: forwards each Genesys-style path, in full, to the service that owns
 * it, with undici: request and response bodies streamed untouched in both directions (uploads and
 * event streams are never buffered), the Host header as the client sent it, X-Forwarded-* added,
 * hop-by-hop headers dropped. Requests over the size limit are refused here with 413, before any
 * service sees them; an unreachable service answers 502, one that does not answer in time 504; a
 * client that goes away cancels its upstream request.
 */
@Injectable()
export class ProxyMiddleware implements NestMiddleware, OnApplicationShutdown {
  private readonly logger = new Logger(ProxyMiddleware.name);
  /**
   * One pool of kept-alive connections per service (a new TCP connection per request costs more
   * than the request), one request at a time on each (no pipelining: a slow answer must not hold
   * up the ones behind it).
   */
  private readonly pools = new Map<string, Pool>();

  constructor(
    @Inject(ROUTES) private readonly routes: Route[],
    @Inject(MAX_REQUEST_BYTES) private readonly maxBytes: number,
    @Inject(MAX_UPLOAD_BYTES) private readonly maxUploadBytes: number,
    @Inject(UPSTREAM_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {
    for (const { target } of routes) {
      if (!this.pools.has(target)) {
        this.pools.set(target, new Pool(target, { connections: 256, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }));
      }
    }
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const route = routeFor(this.routes, req.originalUrl);
    if (!route) return next();
    const length = Number(req.headers['content-length'] ?? 0);
    const limit = isUpload(req.originalUrl) ? this.maxUploadBytes : this.maxBytes;
    if (length > limit) {
      res.status(413).json({ message: `request body of ${length} bytes exceeds the limit of ${limit} bytes`, code: 'payload.too.large', status: 413, contextId: randomUUID(), details: [], errors: [] });
      return;
    }
    this.forward(route, req, res, length > 0 || req.headers['transfer-encoding'] !== undefined);
  }

  private forward(route: Route, req: Request, res: Response, hasBody: boolean): void {
    const headers = endToEnd(req.headers, ANSWERED_HERE);
    addForwarded(headers, req);
    // The trace continues in the service, as the edge's HTTP client instrumentation did it before.
    propagation.inject(context.active(), headers);
    const cancel = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    this.pools.get(route.target)!.stream(
      // Express strips the mount path from req.url; the services expect the full public path.
      { path: req.originalUrl, method: req.method as Dispatcher.HttpMethod, headers, body: hasBody ? req : null, signal: cancel.signal },
      ({ statusCode, headers: upstream }) => {
        res.writeHead(statusCode, endToEnd(upstream) as OutgoingHttpHeaders);
        return res;
      },
      (err) => {
        if (err) this.failed(route, req, res, err, cancel.signal.aborted);
      },
    );
  }

  private failed(route: Route, req: Request, res: Response, err: Error, cancelled: boolean): void {
    if (cancelled) return; // the client went away; nobody is left to answer
    // A service that cannot be connected to (refused, or no connection within undici's 10 s) is unavailable: 502.
    const timedOut = err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
    this.logger.warn({ msg: timedOut ? 'upstream timed out' : 'upstream unavailable', target: route.target, method: req.method, path: req.originalUrl, err: err.message });
    // Once the response has begun, a failure can only cut it short (undici has destroyed it).
    if (res.headersSent) return;
    const contextId = randomUUID();
    if (timedOut) {
      res.status(504).json({ message: `the service behind ${route.prefix} did not answer within ${this.timeoutMs} ms`, code: 'gateway.timeout', status: 504, contextId, details: [], errors: [] });
    } else {
      res.status(502).json({ message: `the service behind ${route.prefix} is unavailable`, code: 'bad.gateway', status: 502, contextId, details: [], errors: [] });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
  }
}
