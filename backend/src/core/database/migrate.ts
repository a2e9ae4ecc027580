import { DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary constant shared by every instance: whoever holds it migrates, the others wait then find nothing to do. */
const MIGRATION_LOCK_KEY = 7_301_994_203;

/**
 * Runs pending migrations under a session advisory lock on one connection, so two instances
 * starting together never race and the single-connection embedded database is never asked for a second one.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
