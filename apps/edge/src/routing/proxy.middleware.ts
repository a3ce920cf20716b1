import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware, RequestHandler } from 'http-proxy-middleware';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { isUpload, Route, routeFor } from './routes';

export const ROUTES = Symbol('ROUTES');
export const MAX_REQUEST_BYTES = Symbol('MAX_REQUEST_BYTES');
export const MAX_UPLOAD_BYTES = Symbol('MAX_UPLOAD_BYTES');

/**
 * The one public entrypoint: forwards each Genesys-style path to the service that owns it, body
 * streamed untouched. Requests over the size limit are refused here with 413, before any
 * service sees them; an unreachable service answers 502.
 */
@Injectable()
export class ProxyMiddleware implements NestMiddleware {
  private readonly logger = new Logger(ProxyMiddleware.name);
  private readonly proxies = new Map<string, RequestHandler>();
  /** Connections to the services are kept open and reused: a new TCP connection per request costs more than the request. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    @Inject(ROUTES) private readonly routes: Route[],
    @Inject(MAX_REQUEST_BYTES) private readonly maxBytes: number,
    @Inject(MAX_UPLOAD_BYTES) private readonly maxUploadBytes: number,
  ) {
    for (const r of routes) {
      this.proxies.set(
        r.prefix,
        createProxyMiddleware({
          target: r.target,
          agent: this.agent,
          changeOrigin: false,
          xfwd: true,
          proxyTimeout: 30_000,
          on: {
            error: (err, _req, res) => {
              this.logger.warn({ msg: 'upstream unavailable', target: r.target, err: err.message });
              const out = res as Response;
              if (!out.headersSent) {
                out.status(502).json({ message: `the service behind ${r.prefix} is unavailable`, code: 'bad.gateway', status: 502, contextId: randomUUID(), details: [], errors: [] });
              }
            },
          },
        }),
      );
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
    // Express strips the mount path from req.url; the services expect the full public path.
    req.url = req.originalUrl;
    void this.proxies.get(route.prefix)!(req, res, next);
  }
}
