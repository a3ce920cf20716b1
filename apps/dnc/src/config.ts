import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';

export class DncConfig extends DatabaseServiceConfig {
  override PORT = 3103;
}

export const config = loadConfigOrExit(DncConfig, 'dnc');
