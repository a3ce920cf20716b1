// OAuth 2.0 client credentials end to end: tokens issued by the edge (through the official SDK's
// loginClientCredentialsGrant), verified by every service against the edge's JWKS; each refusal
// (RFC 6749 §5.2 at /oauth/token, RFC 6750 at the API) both at the edge and directly at a
// service's own port; OAuth clients managed through the Genesys OAuthApi, secret rotation with an
// overlap, signing-key rotation, per-client rate limits, the merged OpenAPI document, and no
// secret in clear in the edge's tables or in any service log. Real broker, real PostgreSQL,
// every service its own process.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import { Client } from 'pg';
import platformClient from 'purecloud-platform-client-v2';
import type { Models } from 'purecloud-platform-client-v2';
import { urlOf } from '../../tools/stack/services';
import { startTestStack, TestStack } from './support/test-stack';

const OVERLAP_SECONDS = 4;
const PUBLISH_SECONDS = 10;
const RESPONSES = '/api/v2/responsemanagement/responses';

let stack: TestStack;
let edge: string;
let templates: string;
let db: Client;
/** Every secret this test has seen: none may appear in a table or a log. */
const secrets: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    portBase: 25080,
    // Every service the edge routes to (the OpenAPI document merges them all); nothing sends messages here.
    services: ['contacts', 'campaigns', 'dnc', 'templates', 'reporting', 'sms-gateway', 'email-gateway', 'ses-emulator', 'triggers', 'edge'],
    extraEnv: { edge: { SECRET_ROTATION_OVERLAP_SECONDS: String(OVERLAP_SECONDS), SIGNING_KEY_PUBLISH_SECONDS: String(PUBLISH_SECONDS) } },
  });
  edge = urlOf(stack.settings, 'edge');
  templates = urlOf(stack.settings, 'templates');
  db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
  secrets.push(stack.settings.bootstrapClient.secret);
});

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

/** Logs the SDK's (process-wide) client in as these credentials; `stack.api` uses it too. */
async function sdkLogin(id: string, secret: string) {
  return platformClient.ApiClient.instance.loginClientCredentialsGrant(id, secret);
}

/** A client made through the SDK as the bootstrap admin; its secret is remembered for the leak checks. */
async function newClient(body: Partial<Models.OAuthClientRequest> & { rateLimitPerSecond?: number }): Promise<{ id: string; secret: string }> {
  await sdkLogin(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
  const created = await stack.api.oauth.postOauthClients({ name: `client ${secrets.length}`, authorizedGrantType: 'CLIENT-CREDENTIALS', ...body } as Models.OAuthClientRequest);
  expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  secrets.push(created.secret!);
  return { id: created.id!, secret: created.secret! };
}

/** POST /oauth/token with HTTP Basic, raw. */
function tokenRequest(id: string, secret: string, body = 'grant_type=client_credentials') {
  return fetch(`${edge}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

async function tokenFor(id: string, secret: string): Promise<string> {
  const res = await tokenRequest(id, secret);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A GET with this bearer token at a base URL (the edge or a service's own port). */
function getWith(base: string, path: string, token?: string) {
  return fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

/** A token signed with the edge's current key taken from its table: valid in every way but what `claims` changes. */
async function forged(claims: { exp?: number; aud?: string }): Promise<string> {
  const { rows } = await db.query('SELECT kid, private_pkcs8 FROM edge.signing_key WHERE activates_at <= now() ORDER BY activates_at DESC LIMIT 1');
  const key = await importPKCS8(rows[0].private_pkcs8, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: stack.settings.bootstrapClient.id, scope: '*:*:*', herald_divisions: ['*'] })
    .setProtectedHeader({ alg: 'ES256', kid: rows[0].kid, typ: 'at+jwt' })
    .setIssuer(edge)
    .setAudience(claims.aud ?? 'herald-api')
    .setSubject(stack.settings.bootstrapClient.id)
    .setIssuedAt(now - 600)
    .setExpirationTime(claims.exp ?? now + 600)
    .setJti('forged')
    .sign(key);
}

async function expectInvalidToken(res: Response, reason: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="herald", error="invalid_token"/);
  const body = (await res.json()) as { code: string; status: number; message: string };
  expect(body).toMatchObject({ code: 'bad.credentials', status: 401 });
  expect(body.message).toMatch(reason);
}

describe('tokens', () => {
  it('the official SDK logs in with client credentials and calls the API with the token', async () => {
    const auth = await sdkLogin(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
    expect(auth.accessToken).toBeTruthy();
    expect(decodeProtectedHeader(auth.accessToken!)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const listing = await stack.api.responses.getResponsemanagementResponses('no-such-library');
    expect(listing.entities).toEqual([]);
  });

  it('a client gets only its own permissions: allowed reads pass, a write it lacks is 403 insufficient_scope at the service and through the edge', async () => {
    const reader = await newClient({ scope: ['responses:response:view'] });
    await sdkLogin(reader.id, reader.secret);
    try {
      await expect(stack.api.responses.getResponsemanagementResponses('no-such-library')).resolves.toMatchObject({ total: 0 });
      await expect(
        stack.api.responses.postResponsemanagementResponses({ name: 'x', libraries: [{ id: 'l' }], texts: [{ content: 'hi', contentType: 'text/plain' }] } as Models.Response),
      ).rejects.toMatchObject({ status: 403 }); // the body is checked on the raw requests below
    } finally {
      await sdkLogin(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
    }
    const token = await tokenFor(reader.id, reader.secret);
    for (const base of [edge, templates]) {
      const res = await fetch(`${base}${RESPONSES}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="responses:response:add"/);
      expect(await res.json()).toMatchObject({ code: 'missing.permissions', status: 403, message: expect.stringContaining('responses:response:add') });
      expect((await getWith(base, RESPONSES, token)).status).toBe(200);
    }
  });

  it('a token request can narrow the scope, and cannot widen it (invalid_scope)', async () => {
    const res = await tokenRequest(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret, 'grant_type=client_credentials&scope=responses%3Aresponse%3Aview');
    const narrowed = (await res.json()) as { access_token: string; scope: string; token_type: string; expires_in: number };
    expect(narrowed).toMatchObject({ scope: 'responses:response:view', token_type: 'Bearer', expires_in: 3600 });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await getWith(templates, RESPONSES, narrowed.access_token)).status).toBe(200);
    expect((await fetch(`${templates}${RESPONSES}`, { method: 'POST', headers: { authorization: `Bearer ${narrowed.access_token}` } })).status).toBe(403);

    const reader = await newClient({ scope: ['responses:response:view'] });
    const wider = await tokenRequest(reader.id, reader.secret, 'grant_type=client_credentials&scope=responses%3Aresponse%3Aadd');
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it.each([
    ['a wrong secret', () => [stack.settings.bootstrapClient.id, 'wrong-secret-wrong-secret']],
    ['an unknown client', () => ['no-such-client', stack.settings.bootstrapClient.secret]],
  ])('refuses %s with 401 invalid_client and WWW-Authenticate (raw and through the SDK)', async (_name, credentials) => {
    const [id, secret] = credentials();
    const res = await tokenRequest(id!, secret!);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="herald"/);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    await expect(sdkLogin(id!, secret!)).rejects.toBeTruthy();
    await sdkLogin(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
  });

  it('refuses another grant type and a non-form body (RFC 6749 §5.2)', async () => {
    const { id, secret } = stack.settings.bootstrapClient;
    expect(await (await tokenRequest(id, secret, 'grant_type=password&username=a&password=b')).json()).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await fetch(`${edge}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });

  describe.each([
    ['the edge', () => edge],
    ['a service port (templates)', () => templates],
  ])('at %s', (_where, base) => {
    it('no token is 401 without an error code (RFC 6750 §3.1)', async () => {
      const res = await getWith(base(), RESPONSES);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="herald"');
      expect(await res.json()).toMatchObject({ code: 'authentication.required', status: 401 });
    });

    it('an expired token is 401 invalid_token', async () => {
      await expectInvalidToken(await getWith(base(), RESPONSES, await forged({ exp: Math.floor(Date.now() / 1000) - 60 })), /expired/);
    });

    it('a token for another audience is 401 invalid_token', async () => {
      await expectInvalidToken(await getWith(base(), RESPONSES, await forged({ aud: 'another-api' })), /claim aud/);
    });

    it('a token with a tampered signature is 401 invalid_token', async () => {
      const token = await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
      const [h, p, s] = token.split('.');
      const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
      await expectInvalidToken(await getWith(base(), RESPONSES, `${h}.${p}.${flipped}`), /signature/);
    });

    it('a token with a tampered payload (more permissions) is 401 invalid_token', async () => {
      const reader = await newClient({ scope: ['responses:response:view'] });
      const [h, p, s] = (await tokenFor(reader.id, reader.secret)).split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
      const widened = Buffer.from(JSON.stringify({ ...claims, scope: '*:*:*' })).toString('base64url');
      await expectInvalidToken(await getWith(base(), RESPONSES, `${h}.${widened}.${s}`), /signature/);
    });

    it('health stays public', async () => {
      expect((await getWith(base(), '/health/live')).status).toBe(200);
    });
  });
});

describe('OAuth clients and secrets', () => {
  it('rotating a secret keeps the previous one working for the overlap, then only the new one', async () => {
    const c = await newClient({ scope: ['responses:response:view'] });
    const rotated = await stack.api.oauth.postOauthClientSecret(c.id);
    expect(rotated.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.secret).not.toBe(c.secret);
    secrets.push(rotated.secret!);
    expect((await tokenRequest(c.id, c.secret)).status).toBe(200);
    expect((await tokenRequest(c.id, rotated.secret!)).status).toBe(200);
    const { rows } = await db.query('SELECT previous_secret_expires_at FROM edge.oauth_client WHERE id = $1', [c.id]);
    const until = new Date(rows[0].previous_secret_expires_at).getTime();
    expect(until - Date.now()).toBeGreaterThan(0);
    expect(until - Date.now()).toBeLessThanOrEqual(OVERLAP_SECONDS * 1000);
    // After the overlap the old secret is refused; the new one still works.
    let status = 200;
    const deadline = Date.now() + 20_000;
    while (status === 200 && Date.now() < deadline) {
      status = (await tokenRequest(c.id, c.secret)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect((await tokenRequest(c.id, rotated.secret!)).status).toBe(200);
  });

  it('a disabled client gets no token; a client cannot grant a permission it does not hold', async () => {
    const c = await newClient({ scope: ['responses:response:view'] });
    const current = await stack.api.oauth.getOauthClient(c.id);
    expect(current).not.toHaveProperty('secret');
    await stack.api.oauth.putOauthClient(c.id, { ...current, state: 'disabled' } as Models.OAuthClientRequest);
    expect((await tokenRequest(c.id, c.secret)).status).toBe(401);

    const admin = await newClient({ scope: ['oauth:client:add', 'responses:response:view'] });
    const token = await tokenFor(admin.id, admin.secret);
    const create = (scope: string[]) =>
      fetch(`${edge}/api/v2/oauth/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sub', authorizedGrantType: 'CLIENT-CREDENTIALS', scope }),
      });
    const escalation = await create(['*:*:*']);
    expect(escalation.status).toBe(403);
    expect(await escalation.json()).toMatchObject({ code: 'oauth.client.scope.not.held' });
    const allowed = await create(['responses:response:view']);
    expect(allowed.status).toBe(200);
    secrets.push(((await allowed.json()) as { secret: string }).secret);
    const bad = await create(['not a permission']);
    expect(bad.status).toBe(400);
  });

  it('stores no secret in clear: the edge tables hold scrypt hashes only', async () => {
    const { rows } = await db.query('SELECT id, secret_hash, previous_secret_hash, row_to_json(c)::text AS whole FROM edge.oauth_client c');
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expect(row.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      for (const secret of secrets) expect(row.whole).not.toContain(secret);
    }
    expect(rows.map((r) => r.id)).toContain(stack.settings.bootstrapClient.id);
  });
});

describe('the campaign service relays the caller token', () => {
  it('a client that may create campaigns but not read the contact list is refused with 403', async () => {
    const list = await stack.api.outbound.postOutboundContactlists({ name: 'relay list', columnNames: ['phone'], phoneColumns: [{ columnName: 'phone', type: 'cell' }] } as Models.ContactList);
    const c = await newClient({ scope: ['outbound:messagingCampaign:add'] });
    const token = await tokenFor(c.id, c.secret);
    const res = await fetch(`${edge}/api/v2/outbound/messagingcampaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'relay', contactList: { id: list.id }, messagesPerMinute: 10, smsConfig: { phoneColumn: 'phone', messageColumn: 'phone', senderSmsPhoneNumber: { phoneNumber: '+15555550100' } } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'missing.permissions', message: expect.stringContaining('outbound:contactList:view') });
  });
});

describe('the stages\' internal preview endpoints', () => {
  it('need the preview permission (outbound:messagingCampaign:view), not just any valid token', async () => {
    const c = await newClient({ scope: ['conversation:message:create'] });
    const narrow = await tokenFor(c.id, c.secret);
    const admin = await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
    const calls: [string, string, unknown][] = [
      ['templates', '/internal/rendering/sms-preview', { messageColumn: 'msg', contacts: [{ msg: 'hi' }] }],
      ['dnc', '/internal/dnc/check', { channel: 'sms', dncListIds: [], addresses: ['+12025550123'] }],
      ['contacts', `/internal/contactlists/${randomUUID()}/audience`, { sms: { phoneColumn: 'phone', messageColumn: 'msg', senderSmsPhoneNumber: '+12025550100' } }],
    ];
    for (const [service, path, body] of calls) {
      const call = (token: string) =>
        fetch(`${urlOf(stack.settings, service)}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const refused = await call(narrow);
      expect([service, refused.status]).toEqual([service, 403]);
      expect(refused.headers.get('www-authenticate')).toContain('insufficient_scope');
      // The admin passes the permission check: an answer, or the list's 404.
      expect([service, (await call(admin)).status]).toEqual([service, service === 'contacts' ? 404 : 200]);
    }
  });
});

describe('signing keys', () => {
  it('rotation publishes the new key at once, signs with it after the publication delay, and old tokens keep working', async () => {
    const before = await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
    const oldKid = decodeProtectedHeader(before).kid;
    const rotate = await stack.fetch('/api/v2/herald/oauth/signingkeys', { method: 'POST' });
    expect(rotate.status).toBe(200);
    const next = (await rotate.json()) as { id: string; state: string };
    expect(next.state).toBe('next');
    const jwks = (await (await fetch(`${edge}/oauth/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([oldKid, next.id].sort());
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true); // public keys only
    // Until the new key activates, tokens are still signed with the old one.
    expect(decodeProtectedHeader(await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret)).kid).toBe(oldKid);
    let kid = oldKid;
    let after = before;
    const deadline = Date.now() + (PUBLISH_SECONDS + 10) * 1000;
    while (kid === oldKid && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      after = await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
      kid = decodeProtectedHeader(after).kid;
    }
    expect(kid).toBe(next.id);
    for (const base of [edge, templates]) {
      expect((await getWith(base, RESPONSES, after)).status).toBe(200);
      expect((await getWith(base, RESPONSES, before)).status).toBe(200);
    }
  });
});

describe('rate limits', () => {
  it('a client over its requests per second gets 429 with Retry-After, then is let through again', async () => {
    const c = await newClient({ scope: ['responses:response:view'], rateLimitPerSecond: 2 });
    const token = await tokenFor(c.id, c.secret);
    const answers = await Promise.all(Array.from({ length: 8 }, () => getWith(edge, RESPONSES, token)));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(await limited[0]!.json()).toMatchObject({ code: 'too.many.requests', status: 429 });
    // Another client is not affected.
    expect((await stack.fetch(RESPONSES)).status).toBe(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await getWith(edge, RESPONSES, token)).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('covers every public path with its permission, and Swagger UI serves it', async () => {
    const doc = (await (await fetch(`${edge}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      'x-herald-unavailable'?: string[];
    };
    expect(doc['x-herald-unavailable']).toBeUndefined();
    for (const path of [
      '/oauth/token',
      '/oauth/jwks',
      '/api/v2/oauth/clients',
      '/api/v2/oauth/clients/{clientId}/secret',
      '/api/v2/herald/oauth/signingkeys',
      '/api/v2/outbound/contactlists',
      '/api/v2/outbound/contactlists/{id}/imports',
      '/api/v2/outbound/messagingcampaigns/{id}/progress',
      '/api/v2/outbound/dnclists/{id}/phonenumbers',
      '/api/v2/herald/suppressions',
      '/api/v2/responsemanagement/responses/{id}',
      '/api/v2/herald/messages/{messageId}',
      '/api/v2/outbound/contactlistfilters',
      '/api/v2/outbound/messagingcampaigns/{id}/previews',
      '/api/v2/routing/sms/phonenumbers',
      '/api/v2/routing/email/outbound/domains/{domainId}',
      '/api/v2/herald/unsubscribe/{token}',
      '/api/v2/conversations/messages/agentless',
      '/api/v2/herald/providers/sns/sms',
      '/api/v2/herald/providers/sns/email',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/api/v2/outbound/contactlists']!['post']!.security).toEqual([{ oauth2: ['outbound:contactList:add'] }]);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/health'))).toBe(false);
    const ui = await fetch(`${edge}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});

describe('logs', () => {
  it('no service log holds a client secret or an access token', async () => {
    const token = await tokenFor(stack.settings.bootstrapClient.id, stack.settings.bootstrapClient.secret);
    expect((await getWith(edge, RESPONSES, token)).status).toBe(200);
    const dir = stack.supervisor.logDir;
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(files).toEqual(expect.arrayContaining(['edge.log', 'templates.log']));
    const edgeLog = readFileSync(join(dir, 'edge.log'), 'utf8');
    expect(edgeLog).toContain('access token issued'); // the log is being written
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain(token.split('.')[2]);
    }
  });
});
