import { Logger } from '@nestjs/common';
import { TokenVerifier } from '@herald/auth';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, KeyLike } from 'jose';
import { EdgeConfig } from '../config';
import { OAuthClientEntity } from './oauth-client.entity';
import { OAuthClientsService } from './oauth-clients.service';
import { SigningKeysService } from './signing-keys.service';
import { TokenError, TokenService } from './token.service';

const FORM = 'application/x-www-form-urlencoded';
const config = { AUTH_ISSUER: 'https://herald.test', AUTH_AUDIENCE: 'herald-api', ACCESS_TOKEN_MAX_SECONDS: 7_200 } as EdgeConfig;
const client = {
  id: 'reporter',
  authorizedGrantType: 'CLIENT-CREDENTIALS',
  scope: ['outbound:contactList:view', 'outbound:messagingCampaign:*'],
  divisions: ['home', 'b7c6a1f0-5d7e-4a53-9d0e-3f6f1c2a9e11'],
  accessTokenValiditySeconds: 600,
  rateLimitPerSecond: 5,
  state: 'active',
} as OAuthClientEntity;
// The client store's own behaviour (hashes, overlap) is the e2e test's; here: id "reporter", secret "s3cret".
const clients = { authenticate: async (id: string, secret: string) => (id === client.id && secret === 's3cret' ? client : undefined) } as unknown as OAuthClientsService;

let service: TokenService;
let verifier: TokenVerifier;

beforeAll(async () => {
  Logger.overrideLogger(false);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const keys = { current: async (): Promise<{ kid: string; key: KeyLike }> => ({ kid: 'k1', key: privateKey }) } as unknown as SigningKeysService;
  service = new TokenService(clients, keys, config);
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  verifier = new TokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) });
});

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

async function refusal(p: Promise<unknown>): Promise<TokenError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TokenError);
  return e as TokenError;
}

describe('TokenService (client credentials grant)', () => {
  it('signs an ES256 at+jwt access token with the RFC 9068 claims and every permission of the client', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await service.grant(basic('reporter', 's3cret'), FORM, { grant_type: 'client_credentials' });
    expect(answer).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'outbound:contactList:view outbound:messagingCampaign:*' });
    expect(decodeProtectedHeader(answer.access_token)).toEqual({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' });
    const claims = decodeJwt(answer.access_token);
    expect(claims).toMatchObject({ iss: 'https://herald.test', aud: 'herald-api', sub: 'reporter', client_id: 'reporter', herald_rate_limit: 5 });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const principal = await verifier.verify(answer.access_token);
    expect(principal.permissions).toEqual(client.scope);
    expect(principal.divisions).toEqual(client.divisions);
  });

  it('carries the granted divisions in herald_divisions whatever scope is requested', async () => {
    const answer = await service.grant(basic('reporter', 's3cret'), FORM, { grant_type: 'client_credentials', scope: 'outbound:contactList:view' });
    expect(decodeJwt(answer.access_token).herald_divisions).toEqual(client.divisions);
  });

  it("signs the edge's own one-minute tokens with only the divisions and permissions asked for", async () => {
    const header = await service.internalAuthorization(['outbound:contactList:view'], ['d1']);
    const principal = await verifier.verify(header.replace(/^Bearer /, ''));
    expect(principal).toMatchObject({ clientId: 'herald-edge', permissions: ['outbound:contactList:view'], divisions: ['d1'] });
    expect(principal.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('narrows the token to a requested scope the client holds (wildcards included)', async () => {
    const answer = await service.grant(basic('reporter', 's3cret'), `${FORM}; charset=utf-8`, { grant_type: 'client_credentials', scope: 'outbound:messagingCampaign:view' });
    expect(answer.scope).toBe('outbound:messagingCampaign:view');
    expect((await verifier.verify(answer.access_token)).permissions).toEqual(['outbound:messagingCampaign:view']);
  });

  it('refuses a scope beyond the client with 400 invalid_scope', async () => {
    const e = await refusal(service.grant(basic('reporter', 's3cret'), FORM, { grant_type: 'client_credentials', scope: 'outbound:contactList:view oauth:client:add' }));
    expect([e.status, e.error]).toEqual([400, 'invalid_scope']);
    expect(e.description).toContain('oauth:client:add');
  });

  it.each([
    ['a wrong secret', basic('reporter', 'wrong'), {}],
    ['an unknown client', basic('nobody', 's3cret'), {}],
    ['no client authentication', {}, {}],
    ['a malformed Basic header', { authorization: 'Basic !!!' }, {}],
  ])('refuses %s with 401 invalid_client', async (_name, headers, extra) => {
    const e = await refusal(service.grant(headers, FORM, { grant_type: 'client_credentials', ...extra }));
    expect([e.status, e.error]).toEqual([401, 'invalid_client']);
  });

  it('accepts the credentials as form parameters too, but not both ways at once', async () => {
    const answer = await service.grant({}, FORM, { grant_type: 'client_credentials', client_id: 'reporter', client_secret: 's3cret' });
    expect(answer.token_type).toBe('Bearer');
    const e = await refusal(service.grant(basic('reporter', 's3cret'), FORM, { grant_type: 'client_credentials', client_id: 'reporter', client_secret: 's3cret' }));
    expect([e.status, e.error]).toEqual([400, 'invalid_request']);
  });

  it('decodes form-urlencoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const e = await refusal(service.grant(basic('reporter', 's3cre%74x'), FORM, { grant_type: 'client_credentials' }));
    expect(e.error).toBe('invalid_client');
    expect((await service.grant(basic('reporter', 's3cre%74'), FORM, { grant_type: 'client_credentials' })).token_type).toBe('Bearer');
  });

  it.each([
    ['a JSON body', 'application/json', { grant_type: 'client_credentials' }, 'invalid_request'],
    ['no grant_type', FORM, {}, 'invalid_request'],
    ['a repeated parameter', FORM, { grant_type: ['client_credentials', 'client_credentials'] }, 'invalid_request'],
    ['another grant', FORM, { grant_type: 'password' }, 'unsupported_grant_type'],
  ])('refuses %s with 400', async (_name, contentType, body, error) => {
    const e = await refusal(service.grant(basic('reporter', 's3cret'), contentType, body));
    expect([e.status, e.error]).toEqual([400, error]);
  });
});
