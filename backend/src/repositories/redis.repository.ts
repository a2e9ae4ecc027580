import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@/core/config';

/** Redis is not connected right now; raised at once instead of queueing the command until it returns. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('Redis is not connected');
    this.name = 'RedisUnavailableError';
  }
}

/** Owns the shared command connection; other repositories borrow it, never open their own for plain commands. */
@Injectable()
export class RedisRepository implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.prefix = `${config.redis.prefix}:`;
    this.client = new Redis(config.redis.url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectionName: 'messenger',
    });
    // ioredis reconnects by itself; without a listener an outage would crash the process with an unhandled 'error'.
    this.client.on('error', () => undefined);
  }

  /** A fresh connection for blocking or pub/sub use (BullMQ, the socket.io adapter). */
  duplicate(overrides: Partial<RedisOptions> = {}): Redis {
    const dup = this.client.duplicate({ maxRetriesPerRequest: null, ...overrides });
    dup.on('error', () => undefined);
    return dup;
  }

  /** For callers that must not wait for a reconnect: their command would only join the offline queue. */
  requireReady(): void {
    if (this.client.status !== 'ready') throw new RedisUnavailableError();
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      const reply = await Promise.race([
        this.client.ping(),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return reply === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown() {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
