import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { ChatRepository } from '@/repositories/chat.repository';
import { PresenceRepository, type PresenceState } from '@/repositories/presence.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import type { PresenceDto, PresenceListResponseDto } from '@/schemas/presence.dto';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const toPresenceDto = (s: PresenceState): PresenceDto => ({ userId: s.userId, online: s.online, lastSeenAt: iso(s.lastSeenAt) });

/**
 * Online while at least one socket of the user is connected to any instance (counted in Redis per instance,
 * see PresenceRepository); transitions are pushed to the people who share a chat with the user.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  /** Sockets per user on this instance, to re-register them if this instance was ever presumed dead. */
  private readonly local = new Map<string, number>();
  /** Per-user queue, so one instance never announces a user's transitions out of order. */
  private readonly queues = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private frozen = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: PresenceRepository,
    private readonly chats: ChatRepository,
    private readonly websocket: WebsocketRepository,
  ) {}

  async onApplicationBootstrap() {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.presenceHeartbeatMs).unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  connected(userId: string): Promise<void> {
    this.local.set(userId, (this.local.get(userId) ?? 0) + 1);
    return this.serialize(userId, async () => {
      if ((await this.presence.connect(userId, Date.now())) === 1) await this.announce(userId, true, null);
    });
  }

  disconnected(userId: string): Promise<void> {
    const left = (this.local.get(userId) ?? 1) - 1;
    if (left > 0) this.local.set(userId, left);
    else this.local.delete(userId);
    // While shutting down the whole instance is dropped at once (stop), not socket by socket.
    if (this.frozen) return Promise.resolve();
    return this.serialize(userId, async () => {
      const now = Date.now();
      if ((await this.presence.disconnect(userId, now)) === 0) await this.announce(userId, false, now);
    });
  }

  /** Which of the users are online now, for a module deciding on their behalf (no caller, no visibility rule). */
  async onlineOf(ids: string[]): Promise<string[]> {
    const states = await this.presence.lookup([...new Set(ids)], Date.now());
    return states.filter((s) => s.online).map((s) => s.userId);
  }

  /** Presence of the given users, limited to the caller and people who share a chat with the caller. */
  async lookup(auth: AuthContext, ids: string[]): Promise<PresenceListResponseDto> {
    const wanted = [...new Set(ids)];
    const visible = new Set(await this.chats.contactIds(auth.userId, wanted.filter((id) => id !== auth.userId)));
    if (wanted.includes(auth.userId)) visible.add(auth.userId);
    const states = await this.presence.lookup(
      wanted.filter((id) => visible.has(id)),
      Date.now(),
    );
    return { items: states.map(toPresenceDto) };
  }

  freeze(): void {
    this.frozen = true;
  }

  /** Graceful shutdown: this instance's sockets stop counting in one step; users left with none go offline. */
  async stop(): Promise<void> {
    this.frozen = true;
    clearInterval(this.timer);
    await Promise.allSettled(this.queues.values());
    try {
      const gone = await this.presence.reapSelf(Date.now());
      await Promise.all(gone.map((g) => this.announce(g.userId, false, g.lastSeenAt)));
    } catch (error) {
      // A Redis outage must not abort the rest of shutdown; survivors reap this instance once its heartbeat is stale.
      this.logger.warn(`presence cleanup at shutdown failed: ${(error as Error).message}`);
    }
  }

  private async beat(): Promise<void> {
    try {
      const now = Date.now();
      if ((await this.presence.heartbeat(now)) && this.local.size > 0) {
        // This instance was presumed dead (a long pause) and its sockets were dropped: count them again.
        this.logger.warn('presence entries of this instance had been reaped; restoring them');
        const back = await this.presence.restore(this.local, now);
        await Promise.all(back.map((userId) => this.announce(userId, true, null)));
      }
      const gone = await this.presence.reapDead(now);
      await Promise.all(gone.map((g) => this.announce(g.userId, false, g.lastSeenAt)));
    } catch (error) {
      this.logger.warn(`presence heartbeat failed: ${(error as Error).message}`);
    }
  }

  private async announce(userId: string, online: boolean, lastSeenAt: number | null): Promise<void> {
    const contacts = await this.chats.contactIds(userId);
    this.websocket.emitToUsers(contacts, 'presence', { userId, online, lastSeenAt: iso(lastSeenAt) });
  }

  private serialize(userId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(userId) ?? Promise.resolve()).then(work).catch((error: Error) => {
      this.logger.warn(`presence update failed: ${error.message}`);
    });
    this.queues.set(userId, next);
    void next.then(() => {
      if (this.queues.get(userId) === next) this.queues.delete(userId);
    });
    return next;
  }
}
