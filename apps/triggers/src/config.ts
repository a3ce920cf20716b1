import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsUrl } from 'class-validator';

const url = { require_tld: false, protocols: ['http', 'https'] };

export class TriggersConfig extends DatabaseServiceConfig {
  override PORT = 3108;
  /** Where templates (response-management responses) are read. */
  @IsUrl(url) TEMPLATES_URL = 'http://127.0.0.1:3104';
  /** The SMS sender registry (`GET /api/v2/routing/sms/phonenumbers`). */
  @IsUrl(url) SMS_GATEWAY_URL = 'http://127.0.0.1:3105';
  /** The email sender registry (`GET /api/v2/routing/email/outbound/domains/{domain}`). */
  @IsUrl(url) EMAIL_GATEWAY_URL = 'http://127.0.0.1:3106';
}

export const config = loadConfigOrExit(TriggersConfig, 'triggers');
