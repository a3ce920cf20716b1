import { DynamicModule, Module } from '@nestjs/common';
import { ServiceToken } from '@herald/auth';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { AcceptedRequests } from './agentless/accepted-requests.repository';
import { AgentlessController } from './agentless/agentless.controller';
import { AgentlessMessages } from './agentless/agentless-messages.service';
import { HttpSenderRegistry, SENDER_REGISTRY, SENDER_REGISTRY_URLS } from './agentless/sender-registry';
import { TEMPLATES_URL, TemplatesClient } from './agentless/templates.client';
import { TriggersConfig } from './config';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { TriggerConsumer } from './trigger-topic/trigger.consumer';

@Module({})
export class AppModule {
  static register(config: TriggersConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('triggers', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'triggers', entities: [], migrations: [Initial1764400000000] }),
        messagingModule('triggers', config),
        HealthModule,
      ],
      controllers: [AgentlessController, TriggerConsumer],
      providers: [
        { provide: ServiceToken, useValue: new ServiceToken(config.AUTH_TOKEN_URL, config.SERVICE_CLIENT_ID, config.SERVICE_CLIENT_SECRET) },
        { provide: TEMPLATES_URL, useValue: config.TEMPLATES_URL },
        { provide: SENDER_REGISTRY_URLS, useValue: { sms: config.SMS_GATEWAY_URL, email: config.EMAIL_GATEWAY_URL } },
        { provide: SENDER_REGISTRY, useClass: HttpSenderRegistry },
        TemplatesClient,
        AcceptedRequests,
        AgentlessMessages,
      ],
    };
  }
}
