import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RedisRepository } from '@/repositories/redis.repository';

/** What auto-assignment weighs: open threads per operator, and who of a channel got a thread last (for ties). */
@Injectable()
export class AssignmentRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redis: RedisRepository,
  ) {}

  /** Open threads (any channel) assigned to each of the users; users with none are 0. */
  async openThreadCounts(userIds: string[]): Promise<Map<string, number>> {
    const counts = new Map(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const rows: Array<{ userId: string; n: number }> = await this.dataSource.query(
      `SELECT assignee_id AS "userId", count(*)::int AS n FROM inbox_threads WHERE assignee_id = ANY($1::uuid[]) AND status = 'open' GROUP BY assignee_id`,
      [userIds],
    );
    for (const row of rows) counts.set(row.userId, row.n);
    return counts;
  }

  /** Assigns only if the thread is still unassigned, so a concurrent manual assignment wins. */
  async assignIfUnassigned(chatId: string, userId: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE inbox_threads SET assignee_id = $2, updated_at = now() WHERE chat_id = $1 AND assignee_id IS NULL RETURNING chat_id`,
      [chatId, userId],
    );
    return rows.length > 0;
  }

  /** When each user last got a thread of the channel by auto-assignment (ms; 0 for never). */
  async lastAssigned(channelId: string, userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const values = await this.redis.client.hmget(this.redis.key('inbox', 'rr', channelId), ...userIds);
    return new Map(userIds.map((id, i) => [id, Number(values[i] ?? 0)]));
  }

  async markAssigned(channelId: string, userId: string, at: number): Promise<void> {
    await this.redis.client.hset(this.redis.key('inbox', 'rr', channelId), userId, String(at));
  }
}
