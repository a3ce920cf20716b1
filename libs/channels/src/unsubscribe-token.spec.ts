import { createHmac } from 'node:crypto';
import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token';

const SECRET = 'a-test-secret-that-is-long-enough-1234';
const claims = { channel: 'email' as const, address: 'Jane.Doe@example.org', messageId: '0a3e2d7c-5b1f-5c8e-9d4a-7f6b1c2e3d4f', campaignId: 'dea4f9d4-d69b-4557-b019-91f185a904a2' };

describe('unsubscribe tokens', () => {
  it('verify back to the claims they were signed with', () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(token).toMatch(/^u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ ok: true, claims });
  });

  it('are URL-safe without encoding', () => {
    const token = signUnsubscribeToken(claims, SECRET);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('refuse a token signed with another secret', () => {
    const token = signUnsubscribeToken(claims, 'another-secret-that-is-also-long-enough');
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuse a token whose claims were changed (another address, same signature)', () => {
    const [v, , sig] = signUnsubscribeToken(claims, SECRET).split('.');
    const forged = Buffer.from(JSON.stringify({ c: 'email', a: 'victim@example.org' })).toString('base64url');
    expect(verifyUnsubscribeToken(`${v}.${forged}.${sig}`, SECRET)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuse a token whose signature was altered by one character', () => {
    const token = signUnsubscribeToken(claims, SECRET);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(verifyUnsubscribeToken(tampered, SECRET).ok).toBe(false);
  });

  it.each(['', 'garbage', 'u1.x', 'u2.eyJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'u1.e30.short'])('refuse the malformed token %j', (token) => {
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ ok: false, reason: 'not an unsubscribe token' });
  });

  it('refuse a correctly signed token without an address', () => {
    // Only someone holding the secret could make this; it must still not pass as a valid request.
    const payload = Buffer.from(JSON.stringify({ c: 'email' })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`u1.${payload}`).digest('base64url');
    expect(verifyUnsubscribeToken(`u1.${payload}.${sig}`, SECRET)).toEqual({ ok: false, reason: 'claims lack a channel and an address' });
  });
});
