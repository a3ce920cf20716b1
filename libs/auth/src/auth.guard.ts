import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError } from './auth-error';
import { PERMISSIONS_KEY, PUBLIC_KEY } from './decorators';
import { DivisionDirectory, Divisions } from './divisions';
import { missingPermissions } from './permissions';
import { Principal, TokenVerifier } from './token-verifier';

interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  divisions?: Divisions;
}

/** The bearer token of a request (RFC 6750 §2.1), or undefined when there is none. */
export function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1];
}

/**
 * Installed globally by every HTTP service (libs/service's runService). Default deny: every
 * handler needs a valid token unless it is `@Public()`; `@RequirePermissions(...)` adds the
 * permissions it needs. The verified caller is left on `request.principal`, its divisions on
 * `request.divisions` (read with `@Caller()` and `@CallerDivisions()`). Kafka handlers
 * (non-HTTP contexts) are not its business.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    /** Checks that a division a caller granted every division names exists (see Divisions.target). */
    private readonly directory?: DivisionDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthRequest>();
    const res = http.getResponse<{ setHeader(name: string, value: string): void }>();
    try {
      const header = req.headers['authorization'];
      const token = bearerTokenOf(header);
      if (!token) throw header ? AuthError.invalidToken('the Authorization header is not a bearer token') : AuthError.missingToken();
      const principal = await this.verifier.verify(token);
      const required = this.reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, targets) ?? [];
      const missing = missingPermissions(principal.permissions, required);
      if (missing.length) throw AuthError.insufficientScope(missing);
      req.principal = principal;
      req.divisions = new Divisions(principal.divisions, this.directory);
      return true;
    } catch (e) {
      if (e instanceof AuthError && e.wwwAuthenticate) res.setHeader('WWW-Authenticate', e.wwwAuthenticate);
      throw e;
    }
  }
}
