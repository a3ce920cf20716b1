import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsUrl } from 'class-validator';

export class CampaignsConfig extends DatabaseServiceConfig {
  override PORT = 3102;
  /** Base URL of the contacts service's API (campaigns checks the contact list it is given). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) CONTACTS_URL = 'http://127.0.0.1:3101';
  /** Base URL of the templates service's API (campaigns checks the template it is given). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) TEMPLATES_URL = 'http://127.0.0.1:3104';
  /** Base URL of the dnc service's API (campaigns checks the DNC lists it is given). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) DNC_URL = 'http://127.0.0.1:3103';
  /** Base URL of the email-gateway's API (campaigns checks that an email campaign's sending domain is verified). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) EMAIL_GATEWAY_URL = 'http://127.0.0.1:3106';
}

export const config = loadConfigOrExit(CampaignsConfig, 'campaigns');
