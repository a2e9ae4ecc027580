import type { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';
import { entities } from '@/models';

/** `connectTimeoutMs` bounds how long a query waits for a connection while the database is unreachable. */
export function dataSourceOptions(url: string, poolMax: number, connectTimeoutMs = 5000): DataSourceOptions {
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
    extra: { max: poolMax, connectionTimeoutMillis: connectTimeoutMs },
  };
}
