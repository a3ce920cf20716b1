import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Divisions } from './divisions';

export const PERMISSIONS_KEY = 'herald:permissions';
export const PUBLIC_KEY = 'herald:public';
/** The OAuth 2.0 security scheme's name in the OpenAPI documents. */
export const OAUTH2_SCHEME = 'oauth2';

/**
 * The permissions a handler (or every handler of a controller) needs, all of them. A handler
 * without this decorator still needs a valid token: anonymous access is `@Public()` only.
 */
export function RequirePermissions(...permissions: string[]) {
  return applyDecorators(
    SetMetadata(PERMISSIONS_KEY, permissions),
    ApiOAuth2(permissions, OAUTH2_SCHEME),
    ApiUnauthorizedResponse({ description: 'no token, or an invalid or expired one (`WWW-Authenticate: Bearer error="invalid_token"`)' }),
    ApiForbiddenResponse({ description: `the token lacks a permission: ${permissions.join(', ')} (\`insufficient_scope\`)` }),
  );
}

/** No token needed: health endpoints and the few deliberately anonymous endpoints. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The verified caller of the request (set by the AuthGuard); undefined on a `@Public()` handler. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<{ principal?: unknown }>().principal);

/**
 * The divisions the verified caller may see and write (set by the AuthGuard from the token). Only
 * for handlers that need a token: on a `@Public()` handler there is no caller, and this throws.
 */
export const CallerDivisions = createParamDecorator((_: unknown, ctx: ExecutionContext): Divisions => {
  const divisions = ctx.switchToHttp().getRequest<{ divisions?: Divisions }>().divisions;
  if (!divisions) throw new Error('@CallerDivisions() on a handler without a verified caller (a @Public() one?)');
  return divisions;
});
