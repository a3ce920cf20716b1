import { AsyncLocalStorage } from 'node:async_hooks';

const authorization = new AsyncLocalStorage<string | undefined>();

/**
 * Express middleware (installed by runService) that remembers the request's Authorization
 * header for the rest of its handling, so that a call a service makes to another service on
 * the caller's behalf carries the caller's own token (token relay).
 */
export function rememberCallerAuthorization(req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void): void {
  const header = req.headers['authorization'];
  authorization.run(typeof header === 'string' ? header : undefined, next);
}

/** Headers for a call made on behalf of the current caller: its Authorization header, if any. */
export function callerAuthorizationHeaders(): Record<string, string> {
  const header = authorization.getStore();
  return header ? { authorization: header } : {};
}
