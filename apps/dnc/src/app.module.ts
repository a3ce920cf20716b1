import { DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DncConfig } from './config';
import { DncEntriesService } from './dnc-lists/dnc-entries.service';
import { DncExportService } from './dnc-lists/dnc-export.service';
import { DNC_IMPORT_SETTINGS, DncImportService } from './dnc-lists/dnc-import.service';
import { DncListEntity } from './dnc-lists/dnc-list.entity';
import { DncListsController } from './dnc-lists/dnc-lists.controller';
import { DncListsService } from './dnc-lists/dnc-lists.service';
import { ContactFilterService } from './filter/contact-filter.service';
import { DispatchConsumer } from './filter/dispatch.consumer';
import { FilterCheckController } from './filter/filter-check.controller';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { DncLists1764300000000 } from './migrations/1764300000000-dnc-lists';
import { SUPPRESSION_SETTINGS, SuppressionsService } from './suppressions/suppressions.service';
import { SuppressionsController } from './suppressions/suppressions.controller';
import { SuppressionRequestsConsumer } from './suppressions/suppression-requests.consumer';
import { SuppressionProvenance1764400000000 } from './migrations/1764400000000-suppression-provenance';
import { EntryAddressCollation1765100000000 } from './migrations/1765100000000-entry-address-collation';
import { UNSUBSCRIBE_SECRET, UnsubscribeController } from './unsubscribe/unsubscribe.controller';

const entities = [DncListEntity];

@Module({})
export class AppModule {
  static register(config: DncConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('dnc', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'dnc', entities, migrations: [Initial1764200000000, DncLists1764300000000, SuppressionProvenance1764400000000, EntryAddressCollation1765100000000] }),
        TypeOrmModule.forFeature(entities),
        messagingModule('dnc', config),
        HealthModule,
      ],
      controllers: [DispatchConsumer, SuppressionRequestsConsumer, DncListsController, SuppressionsController, UnsubscribeController, FilterCheckController],
      providers: [
        ContactFilterService,
        DncListsService,
        DncEntriesService,
        DncImportService,
        DncExportService,
        SuppressionsService,
        { provide: DNC_IMPORT_SETTINGS, useValue: { maxUploadBytes: config.DNC_MAX_UPLOAD_BYTES, waitMs: config.DNC_IMPORT_WAIT_MS, threads: config.DNC_IMPORT_THREADS, mergeBytes: config.DNC_IMPORT_MERGE_BYTES } },
        { provide: SUPPRESSION_SETTINGS, useValue: { defaultRegion: config.SUPPRESSION_DEFAULT_REGION } },
        { provide: UNSUBSCRIBE_SECRET, useValue: config.UNSUBSCRIBE_SECRET },
      ],
    };
  }
}
