import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccessTokenClaims, hasPermission, TOKEN_ALGORITHM, TOKEN_TYPE } from '@herald/auth';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EdgeConfig } from '../config';
import { EDGE_CONFIG, OAuthClientsService } from './oauth-clients.service';
import { SigningKeysService } from './signing-keys.service';

/** The subject of the tokens the edge signs for its own calls to the services. */
export const EDGE_SUBJECT = 'herald-edge';

/** An RFC 6749 §5.2 error answer. */
export class TokenError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
  ) {
    super(description);
  }
}

/** RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 6749 §2.3.1: HTTP Basic with the id and secret form-urlencoded first. */
function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

@Injectable()
export class TokenService {
  private readonly logger = new Logger(TokenService.name);

  constructor(
    private readonly clients: OAuthClientsService,
    private readonly keys: SigningKeysService,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  /** An access token (RFC 9068 profile) signed with the current key. */
  private async sign(subject: string, scope: string[], divisions: string[], validitySeconds: number, rateLimitPerSecond?: number): Promise<string> {
    const { kid, key } = await this.keys.current();
    const now = Math.floor(Date.now() / 1000);
    const claims: Pick<AccessTokenClaims, 'client_id' | 'scope' | 'herald_divisions' | 'herald_rate_limit'> = { client_id: subject, scope: scope.join(' '), herald_divisions: divisions, ...(rateLimitPerSecond ? { herald_rate_limit: rateLimitPerSecond } : {}) };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: TOKEN_TYPE })
      .setIssuer(this.config.AUTH_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + validitySeconds)
      .setJti(randomUUID())
      .sign(key);
  }

  /**
   * The edge's own `Authorization` header for a call it makes to a service (not on a caller's
   * behalf): a one-minute token with only `scope` and `divisions`, under the subject `herald-edge`.
   */
  async internalAuthorization(scope: string[], divisions: string[]): Promise<string> {
    return `Bearer ${await this.sign(EDGE_SUBJECT, scope, divisions, 60)}`;
  }

  /** The client credentials grant: checks the request and the client, then signs an access token. */
  async grant(headers: IncomingHttpHeaders, contentType: string | undefined, body: unknown): Promise<TokenResponse> {
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new TokenError(400, 'invalid_request', 'the request must be application/x-www-form-urlencoded');
    }
    const form = (body ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(form)) {
      if (typeof value !== 'string') throw new TokenError(400, 'invalid_request', `parameter ${name} is repeated`);
    }
    const params = form as Record<string, string>;
    if (!params['grant_type']) throw new TokenError(400, 'invalid_request', 'grant_type is missing');
    if (params['grant_type'] !== 'client_credentials') throw new TokenError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is served');

    const header = headers['authorization'];
    const inBody = params['client_id'] !== undefined || params['client_secret'] !== undefined;
    if (header && inBody) throw new TokenError(400, 'invalid_request', 'use one client authentication method, not HTTP Basic and body parameters together');
    const credentials = header ? basicCredentials(header) : inBody ? { id: params['client_id'] ?? '', secret: params['client_secret'] ?? '' } : undefined;
    if (!credentials) throw new TokenError(401, 'invalid_client', header ? 'the Authorization header is not valid HTTP Basic' : 'client authentication is required (HTTP Basic)');
    const client = await this.clients.authenticate(credentials.id, credentials.secret);
    if (!client) {
      this.logger.warn({ msg: 'client authentication failed', clientId: credentials.id.slice(0, 128) });
      throw new TokenError(401, 'invalid_client', 'client authentication failed');
    }
    if (client.authorizedGrantType !== 'CLIENT-CREDENTIALS') throw new TokenError(400, 'unauthorized_client', 'this client may not use the client credentials grant');

    const requested = params['scope']?.split(' ').filter(Boolean);
    const refused = (requested ?? []).filter((s) => !hasPermission(client.scope, s));
    if (refused.length) throw new TokenError(400, 'invalid_scope', `the client does not hold ${refused.join(', ')}`);
    const scope = [...new Set(requested?.length ? requested : client.scope)];
    const validity = Math.min(client.accessTokenValiditySeconds, this.config.ACCESS_TOKEN_MAX_SECONDS);

    const token = await this.sign(client.id, scope, client.divisions, validity, client.rateLimitPerSecond ?? undefined);
    this.logger.log({ msg: 'access token issued', clientId: client.id, expiresIn: validity });
    return { access_token: token, token_type: 'Bearer', expires_in: validity, scope: scope.join(' ') };
  }
}
