import { createRemoteJWKSet, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { AuthError } from './auth-error';

/** The only signature algorithm Herald issues and accepts. */
export const TOKEN_ALGORITHM = 'ES256';
/** RFC 9068's media type for JWT access tokens, in the `typ` header. */
export const TOKEN_TYPE = 'at+jwt';
/** Tolerated clock difference between the edge that signs and the service that verifies. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * How long a verified token is trusted without checking its signature again (never past its
 * `exp`): a client sends one token with thousands of requests, and an ES256 verification costs
 * about a millisecond of CPU. Also how long a token keeps working after its signing key is retired.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKENS_KEPT = 10_000;

/** Who is calling: an OAuth client, with what it may do. */
export interface Principal {
  clientId: string;
  permissions: string[];
  tokenId: string;
  expiresAt: Date;
  /** The divisions the client is granted: ids, or `*` for every division (see Divisions). */
  divisions: string[];
  /** Requests per second the edge allows this client, when the client sets its own limit. */
  rateLimitPerSecond?: number;
}

/** Herald's access token claims beyond the registered ones (RFC 9068). */
export interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  /** Space-separated permissions (RFC 9068 `scope`). */
  scope: string;
  /** The divisions the client is granted (ids, or `*`). */
  herald_divisions: string[];
  herald_rate_limit?: number;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Where public keys come from: a remote JWKS (services) or the edge's own key store. */
  keys: JWTVerifyGetKey;
}

/**
 * Verifies Herald access tokens: signature (ES256, the key named by `kid`), `typ`, `iss`, `aud`,
 * `exp`/`iat` (5 s tolerance), and the presence of `sub`, `jti`, `scope`, `herald_divisions`.
 */
export class TokenVerifier {
  private readonly verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS_KEPT, ttlAutopurge: false });

  constructor(private readonly options: TokenVerifierOptions) {}

  /** A verifier that fetches the edge's JWKS (cached; refetched, at most every 5 s, for an unknown key id). */
  static remote(options: { jwksUrl: string; issuer: string; audience: string }): TokenVerifier {
    const keys = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
    return new TokenVerifier({ issuer: options.issuer, audience: options.audience, keys });
  }

  /** The token's principal; a token verified in the last VERIFIED_TOKEN_TTL_MS (and not expired) is not checked again. */
  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) return known;
    const principal = await this.check(token);
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, principal.expiresAt.getTime() - Date.now());
    if (ttl > 0) this.verified.set(token, principal, { ttl });
    return principal;
  }

  private async check(token: string): Promise<Principal> {
    let payload: AccessTokenClaims;
    try {
      ({ payload } = await jwtVerify<AccessTokenClaims>(token, this.options.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [TOKEN_ALGORITHM],
        typ: TOKEN_TYPE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      }));
    } catch (e) {
      throw toAuthError(e);
    }
    if (typeof payload.scope !== 'string') throw AuthError.invalidToken('the token has no scope claim');
    const divisions: unknown = payload.herald_divisions;
    if (!Array.isArray(divisions) || !divisions.every((d) => typeof d === 'string')) throw AuthError.invalidToken('the token has no herald_divisions claim');
    return {
      clientId: payload.sub!,
      permissions: payload.scope.split(' ').filter(Boolean),
      tokenId: payload.jti!,
      expiresAt: new Date(payload.exp! * 1000),
      divisions: divisions as string[],
      rateLimitPerSecond: typeof payload.herald_rate_limit === 'number' ? payload.herald_rate_limit : undefined,
    };
  }
}

function toAuthError(e: unknown): AuthError {
  if (e instanceof AuthError) return e;
  if (e instanceof errors.JWTExpired) return AuthError.invalidToken('the token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) return AuthError.invalidToken(`claim ${e.claim} is not acceptable`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return AuthError.invalidToken('the signature does not verify');
  if (e instanceof errors.JWKSNoMatchingKey) return AuthError.invalidToken('the token was not signed by a current Herald key');
  if (e instanceof errors.JOSEAlgNotAllowed) return AuthError.invalidToken('the signature algorithm is not accepted');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JOSENotSupported) return AuthError.invalidToken('the token is malformed');
  if (e instanceof errors.JWKSTimeout) return AuthError.unavailable('the key set did not answer in time');
  // A key set that cannot be fetched (the edge is down): the token may well be fine.
  return AuthError.unavailable((e as Error)?.message ?? String(e));
}
