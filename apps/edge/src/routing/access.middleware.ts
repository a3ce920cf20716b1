import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { AuthError, bearerTokenOf, TokenVerifier } from '@herald/auth';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Route, routeFor } from './routes';
import { ROUTES } from './proxy.middleware';

export const EDGE_VERIFIER = Symbol('EDGE_VERIFIER');
export const RATE_LIMIT_PER_SECOND = Symbol('RATE_LIMIT_PER_SECOND');

/**
 * In front of every `/api/…` request: a valid access token (except on public routes), then the
 * caller's rate limit, per client (per anonymous IP address on public routes), in this edge
 * instance's memory. The services check the token again and the permissions.
 */
@Injectable()
export class AccessMiddleware implements NestMiddleware {
  /** One limiter per requests-per-second value (clients may set their own). */
  private readonly limiters = new Map<number, RateLimiterMemory>();

  constructor(
    @Inject(EDGE_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(RATE_LIMIT_PER_SECOND) private readonly defaultLimit: number,
    @Inject(ROUTES) private readonly routes: Route[],
  ) {}

  private limiter(perSecond: number): RateLimiterMemory {
    let limiter = this.limiters.get(perSecond);
    if (!limiter) this.limiters.set(perSecond, (limiter = new RateLimiterMemory({ points: perSecond, duration: 1, keyPrefix: `rps${perSecond}` })));
    return limiter;
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    let key: string;
    let limit = this.defaultLimit;
    const route = routeFor(this.routes, req.originalUrl);
    if (route?.public && route.unlimited) return next();
    if (route?.public) {
      key = `ip:${req.ip}`;
    } else {
      try {
        const header = req.headers['authorization'];
        const token = bearerTokenOf(header);
        if (!token) throw header ? AuthError.invalidToken('the Authorization header is not a bearer token') : AuthError.missingToken();
        const principal = await this.verifier.verify(token);
        key = `client:${principal.clientId}`;
        limit = principal.rateLimitPerSecond ?? limit;
      } catch (e) {
        if (!(e instanceof AuthError)) throw e;
        if (e.wwwAuthenticate) res.setHeader('WWW-Authenticate', e.wwwAuthenticate);
        const { code, message } = e.getResponse() as { code: string; message: string };
        res.status(e.getStatus()).json({ message, code, status: e.getStatus(), contextId: randomUUID(), details: [], errors: [] });
        return;
      }
    }
    try {
      await this.limiter(limit).consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      res.status(429).json({ message: `Rate limit of ${limit} requests per second exceeded; retry in ${seconds} s`, code: 'too.many.requests', status: 429, contextId: randomUUID(), details: [], errors: [] });
      return;
    }
    next();
  }
}
