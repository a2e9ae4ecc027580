import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Queries waiting for a connection, per connection of the pool, past which the pool counts as saturated: each of
 * them waits up to the connect timeout, and everything queued behind them (a socket handshake's one lookup, a
 * resync) waits as long.
 */
const SATURATED_WAITING_PER_CONNECTION = 10;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

@Injectable()
export class DatabaseRepository {
  private readonly logger = new Logger('Database');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    // A connection checked out of the pool has no 'error' listener of its own, so a server shutting down
    // (57P01) or dying between two queries would crash the process; with one, the broken connection only fails
    // its next query, which the pool then discards, and callers get a retryable error.
    this.pool()?.on('connect', (client) =>
      client.on('error', (error) => this.logger.warn(`database connection lost: ${error.message}`)),
    );
  }

  private pool(): Pool | undefined {
    return (this.dataSource.driver as unknown as { master?: Pool }).master;
  }

  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  /** More queries waiting for a connection than the pool can work off soon. */
  saturated(): boolean {
    const pool = this.pool();
    return pool !== undefined && pool.waitingCount >= this.saturationThreshold();
  }

  /** How much waiting work (queries, or sends gathered for one) counts as more than the pool works off soon. */
  saturationThreshold(): number {
    return SATURATED_WAITING_PER_CONNECTION * (this.pool()?.options.max ?? 10);
  }

  poolStats(): PoolStats {
    const pool = this.pool();
    return { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 };
  }
}
