import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';

export class ReportingConfig extends DatabaseServiceConfig {
  override PORT = 3107;
}

export const config = loadConfigOrExit(ReportingConfig, 'reporting');
