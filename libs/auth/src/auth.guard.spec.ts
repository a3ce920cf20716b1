import { Controller, Get, INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { AuthError } from './auth-error';
import { AuthGuard } from './auth.guard';
import { Caller, CallerDivisions, Public, RequirePermissions } from './decorators';
import { Divisions } from './divisions';
import { Principal, TokenVerifier } from './token-verifier';

// Test tokens stand for what they grant; the verifier itself is tested in token-verifier.spec.ts.
const GRANTS: Record<string, string[]> = { none: [], view: ['outbound:contactList:view'], edit: ['outbound:contactList:edit'], wildcard: ['outbound:*:*'] };
const DIVISIONS: Record<string, string[]> = { view: ['home', 'd2'], wildcard: ['*'] };
const verifier = {
  async verify(token: string): Promise<Principal> {
    if (!GRANTS[token]) throw AuthError.invalidToken('the token has expired');
    return { clientId: 'c1', permissions: GRANTS[token], divisions: DIVISIONS[token] ?? [], tokenId: 't', expiresAt: new Date(Date.now() + 60_000) };
  },
} as unknown as TokenVerifier;

@Controller('things')
class ThingsController {
  @Get('open')
  @Public()
  open() {
    return { ok: true };
  }

  @Get('any')
  any(@Caller() caller: Principal) {
    return { caller: caller.clientId };
  }

  @Get('edit')
  @RequirePermissions('outbound:contactList:edit')
  edit() {
    return { ok: true };
  }

  @Get('divisions')
  async divisions(@CallerDivisions() divisions: Divisions) {
    return { granted: divisions.granted, all: divisions.all, sees: ['home', 'd2', 'd3'].filter((d) => divisions.has(d)), d3: await divisions.target('d3').catch((e: Error) => e.message) };
  }
}

@Public()
@Controller('public')
class PublicController {
  @Get()
  get() {
    return { ok: true };
  }
}

let app: INestApplication;
let base: string;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ controllers: [ThingsController, PublicController] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  // Only d3 exists beyond what the grants name: what a caller granted every division may write into.
  app.useGlobalGuards(new AuthGuard(app.get(Reflector), verifier, { exists: async (id) => id === 'd3' }));
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(() => app?.close());

const get = (path: string, authorization?: string) => fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });

describe('AuthGuard', () => {
  it('lets anyone reach a @Public() handler or controller', async () => {
    expect((await get('/things/open')).status).toBe(200);
    expect((await get('/public')).status).toBe(200);
  });

  it('refuses a handler without a permission decorator to a request without a token (default deny), RFC 6750 style', async () => {
    const res = await get('/things/any');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="herald"');
  });

  it('accepts any valid token on a handler without a permission decorator, and hands the caller to it', async () => {
    const res = await get('/things/any', 'Bearer none');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: 'c1' });
  });

  it('refuses an invalid token with error="invalid_token"', async () => {
    const res = await get('/things/any', 'Bearer expired');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="herald", error="invalid_token", error_description="the token has expired"');
  });

  it('refuses a non-bearer Authorization header as an invalid token', async () => {
    const res = await get('/things/any', 'Basic YTpi');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses a token without the permission with 403 insufficient_scope naming it', async () => {
    const res = await get('/things/edit', 'Bearer view');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="outbound:contactList:edit"/);
  });

  it('accepts the permission, exactly or through a wildcard', async () => {
    expect((await get('/things/edit', 'Bearer edit')).status).toBe(200);
    expect((await get('/things/edit', 'Bearer wildcard')).status).toBe(200);
  });

  it("hands the token's divisions to @CallerDivisions(), with the directory for writes into divisions not named", async () => {
    expect(await (await get('/things/divisions', 'Bearer view')).json()).toEqual({ granted: ['home', 'd2'], all: false, sees: ['home', 'd2'], d3: expect.stringMatching(/not one of the divisions/) });
    expect(await (await get('/things/divisions', 'Bearer wildcard')).json()).toEqual({ granted: ['*'], all: true, sees: ['home', 'd2', 'd3'], d3: 'd3' });
    expect(await (await get('/things/divisions', 'Bearer none')).json()).toMatchObject({ granted: [], sees: [] });
  });
});
