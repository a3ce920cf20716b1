import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsInt, IsNotEmpty, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

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
  /** Base URL of the sms-gateway's API (campaigns checks that its sender number is provisioned). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) SMS_GATEWAY_URL = 'http://127.0.0.1:3105';
  /** How long a stopping campaign waits for its in-flight messages' results before it is `off` regardless. */
  @IsInt() @Min(1_000) @Max(600_000) CAMPAIGN_STOP_TIMEOUT_MS: number = 30_000;
  /** How often a progress event stream sends a heartbeat comment while nothing changes. */
  @IsInt() @Min(500) @Max(60_000) PROGRESS_STREAM_HEARTBEAT_MS: number = 15_000;
  /** How often running campaigns are re-checked; one whose prerequisite has gone stops as `invalid`. */
  @IsInt() @Min(1_000) @Max(3_600_000) CAMPAIGN_REVALIDATE_INTERVAL_MS: number = 60_000;
  /** The edge's token endpoint, where campaigns gets its own access token for those re-checks. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) AUTH_TOKEN_URL = 'http://127.0.0.1:8080/oauth/token';
  /**
   * Campaigns' own OAuth client (client credentials), for the re-checks that no caller makes: it
   * needs `outbound:contactList:view`, `outbound:contactListFilter:view`, `outbound:dncList:view`,
   * `responses:response:view`, `routing:smsPhoneNumber:view` and `routing:emailDomain:view`.
   */
  @IsString() @IsNotEmpty({ message: 'SERVICE_CLIENT_ID is required: the OAuth client campaigns re-checks running campaigns with' })
  SERVICE_CLIENT_ID!: string;
  @IsString() @MinLength(16, { message: 'SERVICE_CLIENT_SECRET is required (16+ characters): the secret of SERVICE_CLIENT_ID' })
  SERVICE_CLIENT_SECRET!: string;
}

export const config = loadConfigOrExit(CampaignsConfig, 'campaigns');
