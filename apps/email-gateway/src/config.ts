import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';

export class EmailGatewayConfig extends DatabaseServiceConfig {
  override PORT = 3106;
}

export const config = loadConfigOrExit(EmailGatewayConfig, 'email-gateway');
