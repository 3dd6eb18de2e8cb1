// Applies pending migrations to DATABASE_URL: the production deploy step (docker compose runs it).
import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { runMigrations } from '@app/persistence';

runMigrations(loadConfig().database)
  .then((applied) => {
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  })
  .catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
