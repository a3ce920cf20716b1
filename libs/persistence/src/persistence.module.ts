import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { ensureDatabase } from './database';

export interface PersistenceOptions {
  databaseUrl: string;
  /** The service's own schema: no service reads another's. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/**
 * TypeORM on the service's own schema: creates the database and schema if missing, then runs the
 * service's migrations under an advisory lock (instances starting together migrate once).
 * Never `synchronize`.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    const dataSourceOptions: DataSourceOptions = {
      type: 'postgres',
      url: options.databaseUrl,
      schema: options.schema,
      entities: options.entities,
      migrations: options.migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      migrationsRun: false,
      extra: {
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: 5_000,
        application_name: `herald-${options.schema}`,
      },
    };
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions,
          dataSourceFactory: async () => migrate(options, dataSourceOptions),
        }),
      ],
    };
  }
}

async function migrate(options: PersistenceOptions, dataSourceOptions: DataSourceOptions): Promise<DataSource> {
  const logger = new Logger('Persistence');
  await ensureDatabase(options.databaseUrl);
  const dataSource = new DataSource(dataSourceOptions);
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`herald:migrate:${options.schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length) logger.log({ msg: 'migrated', schema: options.schema, migrations: applied.map((m) => m.name) });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`herald:migrate:${options.schema}`]).catch(() => undefined);
    await runner.release();
  }
  return dataSource;
}
