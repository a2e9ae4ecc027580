import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';
import { entities } from '@/models';

/**
 * `connectTimeoutMs` bounds how long a query waits for a connection while the database is unreachable.
 * `idleTimeoutMs` is how long an unused connection stays open (0: until the pool closes). pg's own default of 10 s
 * closes the connections a burst opened as soon as it has passed, and the next burst opens them again: a new backend
 * process, authentication, and every named statement parsed and planned anew, all while requests wait for them.
 */
export function dataSourceOptions(url: string, poolMax: number, connectTimeoutMs = 5000, idleTimeoutMs = 600_000): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: { max: poolMax, connectionTimeoutMillis: connectTimeoutMs, idleTimeoutMillis: idleTimeoutMs },
  };
}
