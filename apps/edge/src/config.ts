import { loadConfigOrExit, ServiceConfig } from '@herald/service';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

const url = { require_tld: false, protocols: ['http', 'https'] };

export class EdgeConfig extends ServiceConfig {
  override PORT = 8080;
  @IsUrl(url) CONTACTS_URL = 'http://127.0.0.1:3101';
  @IsUrl(url) CAMPAIGNS_URL = 'http://127.0.0.1:3102';
  @IsUrl(url) DNC_URL = 'http://127.0.0.1:3103';
  @IsUrl(url) TEMPLATES_URL = 'http://127.0.0.1:3104';
  @IsUrl(url) REPORTING_URL = 'http://127.0.0.1:3107';
  @IsUrl(url) SMS_GATEWAY_URL = 'http://127.0.0.1:3105';
  /** Largest request body the edge lets through, in bytes. */
  @IsInt() @Min(1_024) @Max(1_073_741_824) MAX_REQUEST_BYTES = 10 * 1024 * 1024;
  /** Largest CSV upload (paths ending in /imports) the edge lets through; the service enforces its own too. */
  @IsInt() @Min(1_024) @Max(68_719_476_736) MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
}

export const config = loadConfigOrExit(EdgeConfig, 'edge');
