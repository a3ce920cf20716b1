import { hashClientSecret, newClientSecret, UNKNOWN_CLIENT_HASH, verifyClientSecret } from './client-secret';

describe('client secrets', () => {
  it('are 256 random bits, base64url', () => {
    const a = newClientSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newClientSecret()).not.toBe(a);
  });

  it('are stored as salted scrypt hashes that do not contain the secret', async () => {
    const secret = newClientSecret();
    const [h1, h2] = await Promise.all([hashClientSecret(secret), hashClientSecret(secret)]);
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(h1).not.toBe(h2); // a salt each time
    expect(h1).not.toContain(secret);
  });

  it('verify the right secret only', async () => {
    const secret = newClientSecret();
    const hash = await hashClientSecret(secret);
    expect(await verifyClientSecret(secret, hash)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, hash)).toBe(false);
    expect(await verifyClientSecret(secret.slice(1), hash)).toBe(false);
    expect(await verifyClientSecret('', hash)).toBe(false);
  });

  it('never verify against the unknown-client hash or a malformed one', async () => {
    expect(await verifyClientSecret('anything', UNKNOWN_CLIENT_HASH)).toBe(false);
    expect(await verifyClientSecret('anything', 'plain-text-secret')).toBe(false);
  });
});
