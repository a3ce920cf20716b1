import { DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsConfig } from './config';
import { ContactListsController } from './contact-lists/contact-lists.controller';
import { ContactListsService } from './contact-lists/contact-lists.service';
import { ContactEntity, ContactListEntity } from './contact-lists/contact-list.entity';
import { AudiencePreviewController } from './audience/audience-preview.controller';
import { CampaignLifecycleController } from './dispatch/campaign-lifecycle.controller';
import { DispatchRunEntity, RunContactEntity } from './dispatch/dispatch-run.entity';
import { DispatcherService } from './dispatch/dispatcher.service';
import { DISPATCH_SETTINGS } from './dispatch/dispatch.settings';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { Imports1764300000000 } from './migrations/1764300000000-imports';
import { ImportsController } from './imports/imports.controller';
import { IMPORT_SETTINGS, ImportsService } from './imports/imports.service';
import { Results1764300000001 } from './migrations/1764300000001-results';
import { Pacing1764480000000 } from './migrations/1764480000000-pacing';
import { ContactResultsService } from './results/contact-results.service';
import { DeliveryResultsConsumer } from './results/delivery-results.consumer';
import { ExportsController } from './exports/exports.controller';
import { ExportsService } from './exports/exports.service';
import { ContactListFiltersController } from './contact-list-filters/contact-list-filters.controller';
import { ContactListFiltersService } from './contact-list-filters/contact-list-filters.service';
import { ContactListFilters1764400000000 } from './migrations/1764400000000-contact-list-filters';

const entities = [ContactListEntity, ContactEntity, DispatchRunEntity, RunContactEntity];

@Module({})
export class AppModule {
  static register(config: ContactsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('contacts', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'contacts', entities, migrations: [Initial1764200000000, Imports1764300000000, Results1764300000001, ContactListFilters1764400000000, Pacing1764480000000] }),
        TypeOrmModule.forFeature(entities),
        messagingModule('contacts', config),
        HealthModule,
      ],
      controllers: [ContactListsController, CampaignLifecycleController, DeliveryResultsConsumer, ExportsController, ImportsController, AudiencePreviewController, ContactListFiltersController],
      providers: [
        ContactListsService,
        ContactListFiltersService,
        ContactResultsService,
        ExportsService,
        ImportsService,
        { provide: IMPORT_SETTINGS, useValue: { maxBytes: config.CONTACT_IMPORT_MAX_BYTES, chunkRows: config.CONTACT_IMPORT_CHUNK_ROWS, threads: config.CONTACT_IMPORT_THREADS } },
        DispatcherService,
        { provide: DISPATCH_SETTINGS, useValue: { tickMs: config.DISPATCH_TICK_MS, maxBatch: config.DISPATCH_MAX_BATCH } },
      ],
    };
  }
}
