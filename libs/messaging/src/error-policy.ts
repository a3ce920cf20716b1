/**
 * How a handler failure is treated. Transient failures (the database or broker is away) are
 * retried with backoff for as long as it takes: dead-lettering them would lose good events.
 * Anything else is retried a bounded number of times and then dead-lettered with its reason.
 */
export class TransientError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'TransientError';
  }
}

const TRANSIENT_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** PostgreSQL SQLSTATEs that mean "try again": connection exceptions, shutdown, overload, conflicts. */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith('08') || // connection exception
    code.startsWith('57P') || // operator intervention: admin/crash shutdown, cannot connect now
    code === '53300' || // too many connections
    code === '40001' || // serialization failure
    code === '40P01' // deadlock detected
  );
}

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return false;
  const e = error as { name?: string; code?: unknown; retriable?: boolean; message?: string; driverError?: unknown; cause?: unknown };
  if (e.name === 'TransientError') return true;
  if (e.name?.startsWith('KafkaJS') && e.retriable) return true;
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSConnectionError') return true;
  if (typeof e.code === 'string' && (TRANSIENT_NET_CODES.has(e.code) || isTransientSqlState(e.code))) return true;
  const msg = e.message ?? '';
  if (/Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(msg)) return true;
  if (e.driverError && isTransient(e.driverError)) return true;
  if (e.cause && e.cause !== error && isTransient(e.cause)) return true;
  return false;
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
}
