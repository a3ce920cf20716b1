import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsNotEmpty, IsString, IsUrl, MinLength } from 'class-validator';

const url = { require_tld: false, protocols: ['http', 'https'] };

export class TriggersConfig extends DatabaseServiceConfig {
  override PORT = 3108;
  /** Where templates (response-management responses) are read. */
  @IsUrl(url) TEMPLATES_URL = 'http://127.0.0.1:3104';
  /** The SMS sender registry (`GET /api/v2/routing/sms/phonenumbers`). */
  @IsUrl(url) SMS_GATEWAY_URL = 'http://127.0.0.1:3105';
  /** The email sender registry (`GET /api/v2/routing/email/outbound/domains/{domain}`). */
  @IsUrl(url) EMAIL_GATEWAY_URL = 'http://127.0.0.1:3106';
  /** The edge's token endpoint, where triggers gets its own access token for those checks. */
  @IsUrl(url) AUTH_TOKEN_URL = 'http://127.0.0.1:8080/oauth/token';
  /**
   * Triggers' own OAuth client (client credentials): it needs `responses:response:view`,
   * `routing:smsPhoneNumber:view` and `routing:emailDomain:view`.
   */
  @IsString() @IsNotEmpty({ message: 'SERVICE_CLIENT_ID is required: the OAuth client triggers reads templates and sender registries with' })
  SERVICE_CLIENT_ID!: string;
  @IsString() @MinLength(16, { message: 'SERVICE_CLIENT_SECRET is required (16+ characters): the secret of SERVICE_CLIENT_ID' })
  SERVICE_CLIENT_SECRET!: string;
}

export const config = loadConfigOrExit(TriggersConfig, 'triggers');
