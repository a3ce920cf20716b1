import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/**
 * A domain error: a stable code first, an HTTP status only as the default mapping. Services throw
 * these, never HTTP exceptions; the filter below turns them into Genesys-style error bodies.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details: Record<string, unknown>[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super(`${entity}.not.found`, `${entity} ${id} was not found`, 404, [{ entityId: id, entityName: entity }]);
  }
}

export class VersionConflictError extends DomainError {
  constructor(entity: string, id: string, expected: number, actual: number) {
    super('version.mismatch', `${entity} ${id} is at version ${actual}, the request was for version ${expected}`, 409, [{ entityId: id, expected, actual }]);
  }
}

function isClientError(e: unknown): e is { status: number; message: string; limit?: number } {
  const status = (e as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && (e as { expose?: boolean }).expose === true;
}

interface ErrorResponse {
  status(n: number): { json(b: unknown): void };
  headersSent: boolean;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): void;
}

/** Genesys Cloud's ErrorBody shape: `{ message, code, status, contextId, details, errors }`. */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorBodyFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<ErrorResponse>();
    const req = host.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const contextId = req.headers['x-correlation-id'] ?? randomUUID();
    let status = 500;
    let code = 'internal.server.error';
    let message = 'The server could not complete the request';
    let details: unknown[] = [];
    if (exception instanceof DomainError) {
      ({ status, code, message } = exception);
      details = exception.details;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse() as { message?: string | string[]; code?: unknown } | string;
      const messages = typeof body === 'string' ? [body] : Array.isArray(body.message) ? body.message : [body.message ?? exception.message];
      // An exception that names its own code (libs/auth's AuthError) keeps it.
      const own = typeof body === 'object' && typeof body.code === 'string' ? body.code : undefined;
      code = own ?? (status === 400 ? 'bad.request' : status === 404 ? 'not.found' : status === 413 ? 'payload.too.large' : `http.${status}`);
      message = messages.join('; ');
      details = own ? [] : messages.map((m) => ({ errorMessage: m }));
    } else if (isClientError(exception)) {
      // body-parser and friends: 400 malformed JSON, 413 too large, 415 unsupported charset.
      status = exception.status;
      code = status === 413 ? 'payload.too.large' : status === 400 ? 'bad.request' : `http.${status}`;
      message = status === 413 ? `request body exceeds the limit of ${exception.limit ?? '?'} bytes` : exception.message;
    } else {
      this.logger.error({ msg: 'unhandled error', err: (exception as Error)?.message, stack: (exception as Error)?.stack, contextId });
    }
    if (res.headersSent) return;
    // RFC 6750 §3: every 401 names the scheme. The auth guard sets its own, precise challenge; a
    // 401 from elsewhere (a peer refusing the token this request carried on) gets the generic one.
    if (status === 401 && res.getHeader('WWW-Authenticate') === undefined) res.setHeader('WWW-Authenticate', 'Bearer realm="herald", error="invalid_token"');
    res.status(status).json({ message, code, status, contextId, details, errors: [] });
  }
}
