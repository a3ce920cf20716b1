import { IsTrustedUrlPrefixList } from '@herald/sending';
import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

export class SmsGatewayConfig extends DatabaseServiceConfig {
  override PORT = 3105;
  @IsString() AWS_REGION = 'us-east-1';
  /** Endpoint override for the SMS provider (the local simulator); unset means AWS itself. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) SMS_PROVIDER_ENDPOINT?: string;
  /** Provider calls in flight at once per instance. */
  @IsInt() @Min(1) @Max(1_000) SMS_SEND_CONCURRENCY: number = 64;
  /** A provider call with no answer after this long is ambiguous (`unknown`), never retried. */
  @IsInt() @Min(100) @Max(120_000) SMS_SEND_TIMEOUT_MS: number = 10_000;
  /**
   * Messages per second for every sender number, shared by all instances. Unset: the carrier
   * default for each number's type and country (US/CA long code 1, toll-free 3, short code 100,
   * other long codes 10). The local stack sets it high: the simulator has no carrier behind it.
   */
  @IsOptional() @IsInt() @Min(1) @Max(100_000) SMS_SENDER_RATE_PER_SECOND?: number;
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

export const config = loadConfigOrExit(SmsGatewayConfig, 'sms-gateway');
