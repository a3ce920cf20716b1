import { MIN_UNSUBSCRIBE_SECRET_LENGTH } from '@herald/channels';
import { DEFAULT_MAX_SEND_ATTEMPTS, IsTrustedUrlPrefixList, SEND_GUARANTEES, SendGuarantee } from '@herald/sending';
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
  @IsInt() @Min(1) @Max(1_000) EMAIL_SEND_CONCURRENCY: number = 64;
  /** A provider call with no answer after this long is ambiguous (what then: EMAIL_SEND_GUARANTEE). */
  @IsInt() @Min(100) @Max(120_000) EMAIL_SEND_TIMEOUT_MS: number = 10_000;
  /**
   * An ambiguous send (timeout, 5xx, connection reset, a crash mid-call): `at-most-once` reports it
   * `unknown` and never sends it again; `at-least-once` sends it again, up to EMAIL_SEND_MAX_ATTEMPTS.
   */
  @IsIn(SEND_GUARANTEES) EMAIL_SEND_GUARANTEE: SendGuarantee = 'at-most-once';
  /** With at-least-once: SES calls of one email, the first included, before an ambiguous one is final (`unknown`). */
  @IsInt() @Min(1) @Max(10) EMAIL_SEND_MAX_ATTEMPTS: number = DEFAULT_MAX_SEND_ATTEMPTS;
  /** The SES account's maximum send rate (emails per second; SES's GetAccount SendQuota.MaxSendRate), shared by all instances. */
  @IsInt() @Min(1) @Max(100_000) SES_MAX_SEND_RATE: number = 14;
  /** The SES configuration set every email is sent with (its event destination publishes the delivery events); unset: the identity's default one. */
  @IsOptional() @IsString() SES_CONFIGURATION_SET?: string;
  /** Public base URL of the edge: List-Unsubscribe links are `<base>/api/v2/herald/unsubscribe/<token>`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) UNSUBSCRIBE_BASE_URL!: string;
  /** Key of the unsubscribe tokens' HMAC; dnc must have the same. */
  @IsString() @MinLength(MIN_UNSUBSCRIBE_SECRET_LENGTH, { message: `UNSUBSCRIBE_SECRET must be at least ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters` })
  UNSUBSCRIBE_SECRET!: string;
  /**
   * Where the SNS signing certificates (and SubscribeURLs) of provider events may come from:
   * comma-separated URL prefixes; unset means AWS's own, `https://sns.<AWS_REGION>.amazonaws.com/`.
   */
  @IsOptional() @IsTrustedUrlPrefixList() SNS_TRUSTED_CERT_URLS?: string;
  /** Comma-separated SNS topic ARNs whose provider events are accepted; unset accepts any topic (the signature still has to hold). */
  @IsOptional() @IsString() SNS_TRUSTED_TOPIC_ARNS?: string;
  /** An accepted message with no delivery event after this long gets an `unknown` / `delivery.timeout` result (default 4 hours). */
  @IsInt() @Min(1_000) @Max(2_592_000_000) DELIVERY_TIMEOUT_MS: number = 14_400_000;
}

export const config = loadConfigOrExit(EmailGatewayConfig, 'email-gateway');
