import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { ChatRepository } from '@/repositories/chat.repository';
import { PresenceRepository, type PresenceState } from '@/repositories/presence.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import type { PresenceDto, PresenceListResponseDto } from '@/schemas/presence.dto';

/** A user's presence changes leave an instance at most this often: a connect/disconnect storm becomes one change. */
export const PRESENCE_COALESCE_MS = 1000;
/** Past this many remembered users, those not announced within the coalescing window are forgotten. */
const ANNOUNCED_SWEEP_AT = 10_000;

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
  /** The last state announced per user, and when. */
  private readonly announced = new Map<string, { online: boolean; at: number }>();
  /** The newest state waiting for the coalescing window to pass. */
  private readonly pending = new Map<string, { online: boolean; lastSeenAt: number | null; timer: NodeJS.Timeout }>();

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
    for (const { timer } of this.pending.values()) clearTimeout(timer);
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
    const visible = new Set(await this.chats.presenceVisibleTo(auth.userId, wanted.filter((id) => id !== auth.userId)));
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
      await Promise.all(gone.map((g) => this.announce(g.userId, false, g.lastSeenAt, true)));
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

  /**
   * Announces a change to the people allowed to see it, at most once per PRESENCE_COALESCE_MS per user: a change
   * inside the window waits for its end, and only the newest state is sent then.
   */
  private async announce(userId: string, online: boolean, lastSeenAt: number | null, immediate = false): Promise<void> {
    const waiting = this.pending.get(userId);
    const last = this.announced.get(userId);
    const now = Date.now();
    if (!immediate && (waiting || (last && now - last.at < PRESENCE_COALESCE_MS))) {
      if (waiting) Object.assign(waiting, { online, lastSeenAt });
      else {
        const timer = setTimeout(() => void this.flush(userId), last!.at + PRESENCE_COALESCE_MS - now);
        timer.unref();
        this.pending.set(userId, { online, lastSeenAt, timer });
      }
      return;
    }
    if (waiting) {
      clearTimeout(waiting.timer);
      this.pending.delete(userId);
    }
    await this.emitPresence(userId, online, lastSeenAt);
  }

  private async flush(userId: string): Promise<void> {
    const waiting = this.pending.get(userId);
    if (!waiting) return;
    this.pending.delete(userId);
    // Sent even when it equals this instance's last announcement: another instance may have announced otherwise since.
    await this.emitPresence(userId, waiting.online, waiting.lastSeenAt).catch((error: Error) => this.logger.warn(`presence announce failed: ${error.message}`));
  }

  private async emitPresence(userId: string, online: boolean, lastSeenAt: number | null): Promise<void> {
    const now = Date.now();
    if (this.announced.size >= ANNOUNCED_SWEEP_AT) {
      for (const [id, a] of this.announced) if (now - a.at >= PRESENCE_COALESCE_MS && !this.pending.has(id)) this.announced.delete(id);
    }
    this.announced.set(userId, { online, at: now });
    const viewers = await this.chats.presenceViewers(userId);
    this.websocket.emitToUsers(viewers, 'presence', { userId, online, lastSeenAt: iso(lastSeenAt) });
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
