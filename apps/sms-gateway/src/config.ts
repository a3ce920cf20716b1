import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

export class SmsGatewayConfig extends DatabaseServiceConfig {
  override PORT = 3105;
  @IsString() AWS_REGION = 'us-east-1';
  /** Endpoint override for the SMS provider (the local simulator); unset means AWS itself. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) SMS_PROVIDER_ENDPOINT?: string;
  /** Provider calls in flight at once per instance. */
  @IsInt() @Min(1) @Max(1_000) SMS_SEND_CONCURRENCY = 64;
  /** A provider call with no answer after this long is ambiguous (`unknown`), never retried. */
  @IsInt() @Min(100) @Max(120_000) SMS_SEND_TIMEOUT_MS = 10_000;
}

export const config = loadConfigOrExit(SmsGatewayConfig, 'sms-gateway');
