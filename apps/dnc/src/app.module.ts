import { DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@herald/messaging';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule } from '@herald/service';
import { DncConfig } from './config';
import { ContactFilterService } from './filter/contact-filter.service';
import { DispatchConsumer } from './filter/dispatch.consumer';
import { Initial1764200000000 } from './migrations/1764200000000-initial';

@Module({})
export class AppModule {
  static register(config: DncConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('dnc', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'dnc', entities: [], migrations: [Initial1764200000000] }),
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS.split(','), service: 'dnc', topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        HealthModule,
      ],
      controllers: [DispatchConsumer],
      providers: [ContactFilterService],
    };
  }
}
