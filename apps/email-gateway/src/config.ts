import { MIN_UNSUBSCRIBE_SECRET_LENGTH } from '@herald/channels';
import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

export class EmailGatewayConfig extends DatabaseServiceConfig {
  override PORT = 3106;
  @IsString() AWS_REGION = 'us-east-1';
  /** Endpoint override for SES (the local emulator); unset means AWS itself. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) SES_ENDPOINT?: string;
  /**
   * How sending domains are verified: `ses` creates an SES email identity and reports its DKIM
   * status; `local` (the emulator has no identities API) verifies a domain at once.
   */
  @IsIn(['ses', 'local']) EMAIL_DOMAIN_VERIFICATION: 'ses' | 'local' = 'ses';
  /** Provider calls in flight at once per instance. */
  @IsInt() @Min(1) @Max(1_000) EMAIL_SEND_CONCURRENCY = 64;
  /** A provider call with no answer after this long is ambiguous (`unknown`), never retried. */
  @IsInt() @Min(100) @Max(120_000) EMAIL_SEND_TIMEOUT_MS = 10_000;
  /** Public base URL of the edge: List-Unsubscribe links are `<base>/api/v2/herald/unsubscribe/<token>`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) UNSUBSCRIBE_BASE_URL!: string;
  /** Key of the unsubscribe tokens' HMAC; dnc must have the same. */
  @IsString() @MinLength(MIN_UNSUBSCRIBE_SECRET_LENGTH, { message: `UNSUBSCRIBE_SECRET must be at least ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters` })
  UNSUBSCRIBE_SECRET!: string;
}

export const config = loadConfigOrExit(EmailGatewayConfig, 'email-gateway');
