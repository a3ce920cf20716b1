import { HttpException } from '@nestjs/common';

/**
 * A refused request (RFC 6750 §3): 401 with `error="invalid_token"` (or no error code when no
 * token was sent at all), 403 with `error="insufficient_scope"`. The body is Genesys' ErrorBody
 * (libs/service's filter writes it from `code` and `message`); the header is set by whoever
 * answers (`wwwAuthenticate`).
 */
export class AuthError extends HttpException {
  constructor(
    status: 401 | 403 | 503,
    readonly code: string,
    message: string,
    readonly wwwAuthenticate?: string,
  ) {
    super({ code, message }, status);
  }

  static missingToken(): AuthError {
    return new AuthError(401, 'authentication.required', 'No bearer token in the Authorization header', 'Bearer realm="herald"');
  }

  static invalidToken(reason: string): AuthError {
    return new AuthError(401, 'bad.credentials', `The access token is not valid: ${reason}`, bearer('invalid_token', reason));
  }

  static insufficientScope(missing: string[]): AuthError {
    const scope = missing.join(' ');
    return new AuthError(403, 'missing.permissions', `You are missing the following permission(s): ${missing.join(', ')}`, `${bearer('insufficient_scope', 'the token lacks a permission')}, scope="${scope}"`);
  }

  static unavailable(reason: string): AuthError {
    return new AuthError(503, 'authentication.unavailable', `Tokens cannot be verified right now: ${reason}`);
  }
}

function bearer(error: string, description: string): string {
  // RFC 6750 §3: quoted strings may not hold `"` or `\`.
  return `Bearer realm="herald", error="${error}", error_description="${description.replace(/["\\]/g, "'")}"`;
}
