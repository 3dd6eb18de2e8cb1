import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

export interface DatabaseSettings {
  readonly url: string;
  readonly poolSize?: number;
  readonly ssl?: boolean;
}

/** Options shared by the Nest apps, the migration runner and the tests: schema comes only from migrations. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    ssl: settings.ssl ? { rejectUnauthorized: true } : undefined,
    extra: { max: settings.poolSize ?? 10 },
  };
}

/** Runs pending migrations in one transaction each; safe to call from several processes at once. */
export async function runMigrations(settings: DatabaseSettings): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions({ ...settings, poolSize: 2 }));
  await dataSource.initialize();
  const lockHolder = dataSource.createQueryRunner();
  try {
    // An advisory lock keeps two processes booting together from applying the same migration twice.
    await lockHolder.query('SELECT pg_advisory_lock(8890)');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock(8890)').catch(() => undefined);
    await lockHolder.release();
    await dataSource.destroy();
  }
}
