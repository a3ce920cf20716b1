import { DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@herald/messaging';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule } from '@herald/service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsConfig } from './config';
import { ContactListsController } from './contact-lists/contact-lists.controller';
import { ContactListsService } from './contact-lists/contact-lists.service';
import { ContactEntity, ContactListEntity } from './contact-lists/contact-list.entity';
import { CampaignLifecycleController } from './dispatch/campaign-lifecycle.controller';
import { DispatchRunEntity, RunContactEntity } from './dispatch/dispatch-run.entity';
import { DispatcherService } from './dispatch/dispatcher.service';
import { DISPATCH_SETTINGS } from './dispatch/dispatch.settings';
import { Initial1764200000000 } from './migrations/1764200000000-initial';

const entities = [ContactListEntity, ContactEntity, DispatchRunEntity, RunContactEntity];

@Module({})
export class AppModule {
  static register(config: ContactsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('contacts', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'contacts', entities, migrations: [Initial1764200000000] }),
        TypeOrmModule.forFeature(entities),
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS.split(','), service: 'contacts', topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        HealthModule,
      ],
      controllers: [ContactListsController, CampaignLifecycleController],
      providers: [
        ContactListsService,
        DispatcherService,
        { provide: DISPATCH_SETTINGS, useValue: { tickMs: config.DISPATCH_TICK_MS, maxBatch: config.DISPATCH_MAX_BATCH } },
      ],
    };
  }
}
