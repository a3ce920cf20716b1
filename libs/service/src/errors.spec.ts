import type { ArgumentsHost } from '@nestjs/common';
import { DomainError, ErrorBodyFilter } from './errors';

/** What the filter writes for an exception: status, headers and body. */
function answer(exception: unknown, preset: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...preset };
  const out: { status?: number; body?: Record<string, unknown> } = {};
  const res = {
    headersSent: false,
    getHeader: (name: string) => headers[name],
    setHeader: (name: string, value: string) => (headers[name] = value),
    status: (n: number) => ((out.status = n), { json: (b: Record<string, unknown>) => (out.body = b) }),
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ headers: { 'x-correlation-id': 'c-1' } }) }) };
  new ErrorBodyFilter().catch(exception, host as unknown as ArgumentsHost);
  return { ...out, headers };
}

describe('ErrorBodyFilter', () => {
  it('answers a domain error with its status and a Genesys-style body', () => {
    const { status, body, headers } = answer(new DomainError('missing.permissions', 'the template cannot be read with this token: 403', 403));
    expect(status).toBe(403);
    expect(body).toEqual({ message: 'the template cannot be read with this token: 403', code: 'missing.permissions', status: 403, contextId: 'c-1', details: [], errors: [] });
    expect(headers['WWW-Authenticate']).toBeUndefined();
  });

  it('gives a 401 that carries no challenge the Bearer one (RFC 6750 §3)', () => {
    const { status, headers } = answer(new DomainError('bad.credentials', 'the template cannot be read with this token: 401', 401));
    expect(status).toBe(401);
    expect(headers['WWW-Authenticate']).toBe('Bearer realm="herald", error="invalid_token"');
  });

  it('keeps the challenge a 401 already set (the auth guard words its own)', () => {
    const own = 'Bearer realm="herald", error="invalid_token", error_description="jwt expired"';
    expect(answer(new DomainError('bad.credentials', 'expired', 401), { 'WWW-Authenticate': own }).headers['WWW-Authenticate']).toBe(own);
  });
});
