import { DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@herald/messaging';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule } from '@herald/service';
import { EmailGatewayConfig } from './config';

/**
 * The email gateway: owns sending domains and email send attempts, sends through SES v2.
 * Not built yet (the campaigns issue brings it): it starts, owns its schema and reports health.
 */
@Module({})
export class AppModule {
  static register(config: EmailGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('email-gateway', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'email', entities: [], migrations: [] }),
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS.split(','), service: 'email-gateway', topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        HealthModule,
      ],
    };
  }
}
