import { DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { ReportingConfig } from './config';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { OutcomeRank1765000000060 } from './migrations/1765000000060-outcome-rank';
import { ResultsProjection } from './results/results.projection';

@Module({})
export class AppModule {
  static register(config: ReportingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('reporting', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'reporting', entities: [], migrations: [Initial1764200000000, OutcomeRank1765000000060] }),
        messagingModule('reporting', config),
        HealthModule,
      ],
      controllers: [ResultsProjection],
    };
  }
}
