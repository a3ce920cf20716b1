import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';

export class TemplatesConfig extends DatabaseServiceConfig {
  override PORT = 3104;
}

export const config = loadConfigOrExit(TemplatesConfig, 'templates');
