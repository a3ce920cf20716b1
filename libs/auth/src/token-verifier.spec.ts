import { createLocalJWKSet, exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import { AuthError } from './auth-error';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://herald.test';
const AUDIENCE = 'herald-api';

let privateKey: KeyLike;
let otherKey: KeyLike;
let verifier: TokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  verifier = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) });
});

interface Overrides {
  key?: KeyLike;
  kid?: string;
  typ?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  claims?: Record<string, unknown>;
}

function token(o: Overrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'client-1', scope: 'outbound:contactList:add outbound:*:view', herald_divisions: ['home', 'd2'], ...o.claims })
    .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'k1', typ: o.typ ?? 'at+jwt' })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject('client-1')
    .setIssuedAt(now)
    .setExpirationTime(o.exp ?? now + 300)
    .setJti('token-1')
    .sign(o.key ?? privateKey);
}

async function refusal(t: string | Promise<string>): Promise<AuthError> {
  const e = await verifier.verify(await t).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AuthError);
  return e as AuthError;
}

describe('TokenVerifier', () => {
  it('accepts a token Herald signed and reads the caller from it', async () => {
    const p = await verifier.verify(await token({ claims: { herald_rate_limit: 7 } }));
    expect(p).toMatchObject({ clientId: 'client-1', permissions: ['outbound:contactList:add', 'outbound:*:view'], divisions: ['home', 'd2'], tokenId: 'token-1', rateLimitPerSecond: 7 });
  });

  it.each([
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 60 }, /expired/],
    ['another audience', { aud: 'someone-else' }, /claim aud/],
    ['another issuer', { iss: 'https://evil.test' }, /claim iss/],
    ['a signature by another key under the same key id', { key: undefined as unknown as KeyLike, kid: 'k1' }, /signature/],
    ['an unknown key id', { kid: 'k2' }, /current Herald key/],
    ['another token type (an ID token)', { typ: 'JWT' }, /claim typ/],
  ])('refuses %s with 401 invalid_token', async (_name, overrides, message) => {
    const o = { ...overrides } as Overrides;
    if ('key' in overrides) o.key = otherKey;
    const e = await refusal(token(o));
    expect(e.getStatus()).toBe(401);
    expect(e.code).toBe('bad.credentials');
    expect(e.message).toMatch(message);
    expect(e.wwwAuthenticate).toMatch(/^Bearer realm="herald", error="invalid_token"/);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [h, , s] = (await token()).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'client-1', scope: '*:*:*', iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999, iat: 1, jti: 'x' })).toString('base64url');
    expect((await refusal(`${h}.${payload}.${s}`)).message).toMatch(/signature/);
  });

  it('refuses an unsigned token (alg none) and garbage', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt","kid":"k1"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect((await refusal(none)).getStatus()).toBe(401);
    expect((await refusal('not-a-token')).message).toMatch(/malformed/);
  });

  it('refuses a token without a scope claim', async () => {
    expect((await refusal(token({ claims: { scope: undefined } }))).message).toMatch(/scope/);
  });

  it.each([
    ['without', undefined],
    ['with a string instead of a list in', 'home'],
    ['with a non-string id in', ['home', 7]],
  ])('refuses a token %s its herald_divisions claim (no divisions is not "every division")', async (_name, value) => {
    expect((await refusal(token({ claims: { herald_divisions: value } }))).message).toMatch(/herald_divisions/);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const remote = TokenVerifier.remote({ jwksUrl: 'http://127.0.0.1:9/oauth/jwks', issuer: ISSUER, audience: AUDIENCE });
    const e = await remote.verify(await token()).catch((err: AuthError) => err);
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).getStatus()).toBe(503);
  });
});

describe('TokenVerifier: verified tokens', () => {
  let keyLookups: number;
  let counting: TokenVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    counting = new TokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: (header, input) => {
        keyLookups++;
        return jwks(header, input);
      },
    });
  });

  beforeEach(() => {
    keyLookups = 0;
  });

  it('checks a token once and answers the same principal for it again', async () => {
    const t = await token();
    const first = await counting.verify(t);
    const again = await counting.verify(t);
    expect(again).toEqual(first);
    expect(keyLookups).toBe(1);
  });

  it('checks every other token on its own: a tampered copy of a verified token is refused', async () => {
    const t = await token();
    await counting.verify(t);
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', scope: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9999999999, iat: 1, jti: 'x' })).toString('base64url')}.${s}`;
    await expect(counting.verify(forged)).rejects.toThrow(/signature/);
    expect(keyLookups).toBe(2);
  });

  it('does not keep a refusal: a token is checked each time it is refused', async () => {
    const expired = await token({ exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(counting.verify(expired)).rejects.toThrow(/expired/);
    await expect(counting.verify(expired)).rejects.toThrow(/expired/);
    expect(keyLookups).toBe(2);
  });
});
