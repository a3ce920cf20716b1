import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a List-Unsubscribe link says: who unsubscribes from which channel, and which message it came with. */
export interface UnsubscribeClaims {
  channel: 'sms' | 'email';
  address: string;
  /** Provenance: the message and campaign the link was sent with. */
  messageId?: string;
  campaignId?: string;
}

export type UnsubscribeTokenResult = { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: string };

const VERSION = 'u1';
/** Enough to keep a brute-forced HMAC key out of reach; checked where the secret is configured. */
export const MIN_UNSUBSCRIBE_SECRET_LENGTH = 32;

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed, 'utf8').digest();
}

/**
 * A List-Unsubscribe token: `u1.<claims>.<signature>`, the claims as base64url JSON and the
 * signature an HMAC-SHA256 of `u1.<claims>` under the configured secret. Anyone holding the link
 * can use it (RFC 8058 one-click needs no login), but nobody without the secret can make one for
 * another address or alter the one they have. The claims are signed, not encrypted: the link
 * shows the recipient's own address to whoever holds it.
 */
export function signUnsubscribeToken(claims: UnsubscribeClaims, secret: string): string {
  const body: Record<string, string> = { c: claims.channel, a: claims.address };
  if (claims.messageId) body['m'] = claims.messageId;
  if (claims.campaignId) body['k'] = claims.campaignId;
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  const signed = `${VERSION}.${payload}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/** Checks a token's signature and shape; never throws. */
export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeTokenResult {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'not an unsubscribe token' };
  const [, payload, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return { ok: false, reason: 'not an unsubscribe token' };
  const expected = mac(secret, `${VERSION}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'claims are not JSON' };
  }
  const { c, a, m, k } = body;
  if ((c !== 'sms' && c !== 'email') || typeof a !== 'string' || a === '') return { ok: false, reason: 'claims lack a channel and an address' };
  if ((m !== undefined && typeof m !== 'string') || (k !== undefined && typeof k !== 'string')) return { ok: false, reason: 'malformed provenance' };
  return { ok: true, claims: { channel: c, address: a, messageId: m, campaignId: k } };
}
