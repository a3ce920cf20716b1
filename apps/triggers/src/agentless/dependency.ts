import { ServiceToken } from '@herald/auth';
import { DomainError } from '@herald/service';
import { LRUCache } from 'lru-cache';

/** A service Herald needs to check a request (templates, a sender registry) did not answer usefully. */
export class DependencyUnavailableError extends DomainError {
  constructor(what: string, problem: string) {
    super('dependency.unavailable', `could not check the ${what}: ${problem}`, 503);
  }
}

/**
 * GET a peer's JSON resource with this service's own token (the check is Herald's, not the
 * caller's: a caller allowed to send a message need not be allowed to read templates):
 * undefined on 404, DependencyUnavailableError when it cannot answer. A 401 (the token was
 * refused, e.g. after a signing-key rotation) is tried once more with a new token.
 */
export async function getJson<T>(token: ServiceToken, url: string, what: string): Promise<T | undefined> {
  let res: Response;
  try {
    res = await token.fetch(url, {}, 5_000);
  } catch (e) {
    throw new DependencyUnavailableError(what, (e as Error).message);
  }
  if (res.ok) return (await res.json()) as T;
  await res.body?.cancel();
  if (res.status === 404) return undefined;
  throw new DependencyUnavailableError(what, `${url.split('?')[0]} answered ${res.status}`);
}

/**
 * Positive answers kept for a few seconds (at most `max` of them): a burst of messages from one
 * sender or template asks once, and concurrent misses share one lookup (lru-cache's `fetch`). A
 * negative answer (undefined) or a failure is not kept.
 */
export function positiveAnswerCache<V extends object>(ttlMs: number, load: (key: string) => Promise<V | undefined>, max = 10_000): LRUCache<string, V> {
  return new LRUCache<string, V>({ max, ttl: ttlMs, fetchMethod: (key) => load(key) });
}
