import { DatabaseError, type Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { isUnavailableError } from '@/core/unavailable';

/** The pg pool under TypeORM's PostgreSQL driver (the embedded database is reached through the same driver). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/**
 * A named statement on one pooled connection: each connection parses and plans it once instead of on every call,
 * which is most of PostgreSQL's CPU for the short statements of the hot paths. Not `pool.query()`, which destroys
 * the connection on any error: an error the server answered leaves the connection usable and it goes back to the
 * pool; anything else (a broken socket, a server going away) may have broken it, so it is dropped.
 * The text must be constant per name: statements of different shape need different names.
 */
export async function queryNamed<T>(pool: Pool, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<T & object>({ name, text, values });
    client.release();
    return rows as T[];
  } catch (error) {
    client.release(error instanceof DatabaseError && !isUnavailableError(error) ? undefined : (error as Error));
    throw error;
  }
}
