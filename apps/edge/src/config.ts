import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsInt, IsNotEmpty, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

const url = { require_tld: false, protocols: ['http', 'https'] };

export class EdgeConfig extends DatabaseServiceConfig {
  override PORT = 8080;
  @IsUrl(url) CONTACTS_URL = 'http://127.0.0.1:3101';
  @IsUrl(url) CAMPAIGNS_URL = 'http://127.0.0.1:3102';
  @IsUrl(url) DNC_URL = 'http://127.0.0.1:3103';
  @IsUrl(url) TEMPLATES_URL = 'http://127.0.0.1:3104';
  @IsUrl(url) REPORTING_URL = 'http://127.0.0.1:3107';
  @IsUrl(url) EMAIL_GATEWAY_URL = 'http://127.0.0.1:3106';
  @IsUrl(url) TRIGGERS_URL = 'http://127.0.0.1:3108';
  @IsUrl(url) SMS_GATEWAY_URL = 'http://127.0.0.1:3105';
  /** Largest request body the edge lets through, in bytes. */
  @IsInt() @Min(1_024) @Max(1_073_741_824) MAX_REQUEST_BYTES: number = 10 * 1024 * 1024;
  /** Largest CSV upload (paths ending in /imports) the edge lets through; the service enforces its own too. */
  @IsInt() @Min(1_024) @Max(68_719_476_736) MAX_UPLOAD_BYTES: number = 2 * 1024 * 1024 * 1024;
  /** How long the edge waits for a service to answer (and between the chunks of its answer) before 504 or cutting it short. */
  @IsInt() @Min(1_000) @Max(3_600_000) UPSTREAM_TIMEOUT_MS: number = 30_000;

  /** `iss` of the access tokens the edge signs (services check it: same variable). */
  @IsString() @IsNotEmpty() AUTH_ISSUER = 'herald';
  /** `aud` of the access tokens the edge signs (services check it: same variable). */
  @IsString() @IsNotEmpty() AUTH_AUDIENCE = 'herald-api';
  /** Longest access-token lifetime a client may have; a retired signing key stays published this long. */
  @IsInt() @Min(60) @Max(172_800) ACCESS_TOKEN_MAX_SECONDS: number = 86_400;
  /** How long a new signing key is published in the JWKS before it signs (at least the services' 5 s JWKS refetch cooldown). */
  @IsInt() @Min(6) @Max(3_600) SIGNING_KEY_PUBLISH_SECONDS: number = 30;
  /** How long the previous secret of a client keeps working after `POST …/secret`. */
  @IsInt() @Min(0) @Max(30 * 86_400) SECRET_ROTATION_OVERLAP_SECONDS: number = 86_400;
  /** Requests per second per client (per edge instance) unless the client sets its own `rateLimitPerSecond`. */
  @IsInt() @Min(1) @Max(100_000) RATE_LIMIT_PER_SECOND: number = 100;
  /** A client created (or updated) at boot with every permission, for a first start. Unset both to have none. */
  @ValidateIf((c: EdgeConfig) => c.HERALD_BOOTSTRAP_CLIENT_SECRET !== undefined)
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'HERALD_BOOTSTRAP_CLIENT_ID must be 1-128 letters, digits, ".", "_" or "-" (and is needed with HERALD_BOOTSTRAP_CLIENT_SECRET)' })
  HERALD_BOOTSTRAP_CLIENT_ID?: string;
  @ValidateIf((c: EdgeConfig) => c.HERALD_BOOTSTRAP_CLIENT_ID !== undefined)
  @IsString() @MinLength(16, { message: 'HERALD_BOOTSTRAP_CLIENT_SECRET must be at least 16 characters (and is needed with HERALD_BOOTSTRAP_CLIENT_ID)' })
  HERALD_BOOTSTRAP_CLIENT_SECRET?: string;
}

export const config = loadConfigOrExit(EdgeConfig, 'edge');
