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

/**
 * Runs `fn` as if it handled a request carrying this Authorization header: for work a service
 * does on its own behalf (a timer, with its ServiceToken) through code that relays the caller's token.
 */
export function actingWith<T>(header: string, fn: () => T): T {
  return authorization.run(header, fn);
}
