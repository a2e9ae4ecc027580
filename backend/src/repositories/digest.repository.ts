import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChatType } from '@/models/chat.entity';

export interface DigestRecipient {
  id: string;
  email: string;
  displayName: string;
  emailDigest: boolean;
  lastDigestAt: Date | null;
}

export interface UnreadChat {
  chatId: string;
  type: ChatType;
  title: string | null;
  unread: number;
  lastSender: string;
  lastBody: string;
  lastAt: Date;
}

/** The reads and the once-per-interval claim behind the e-mail digest. */
@Injectable()
export class DigestRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findRecipient(userId: string): Promise<DigestRecipient | null> {
    const rows = await this.dataSource.query(
      `SELECT id, email, display_name AS "displayName", email_digest AS "emailDigest", last_digest_at AS "lastDigestAt" FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** Chats with messages from others that the user has not read and no earlier digest reported; newest first. */
  unreadSince(userId: string, since: Date | null, limit = 20): Promise<UnreadChat[]> {
    return this.dataSource.query(
      `SELECT c.id AS "chatId", c.type, c.title, count(*)::int AS unread,
              (array_agg(coalesce(u.display_name, 'Someone') ORDER BY m.seq DESC))[1] AS "lastSender",
              (array_agg(m.body ORDER BY m.seq DESC))[1] AS "lastBody",
              max(m.created_at) AS "lastAt"
       FROM chat_members cm
       JOIN chats c ON c.id = cm.chat_id AND c.last_message_seq > cm.last_read_seq
       JOIN messages m ON m.chat_id = cm.chat_id AND m.seq > cm.last_read_seq
       LEFT JOIN users u ON u.id = m.sender_id
       WHERE cm.user_id = $1 AND m.deleted_at IS NULL AND m.sender_id IS DISTINCT FROM $1
         AND ($2::timestamptz IS NULL OR m.created_at > $2)
       GROUP BY c.id
       ORDER BY max(m.created_at) DESC
       LIMIT $3`,
      [userId, since, limit],
    );
  }

  /**
   * Marks a digest as sent now unless one went out within `intervalSeconds`; the single conditional UPDATE
   * is what makes "at most one per interval" hold across workers. Returns the previous mark, or false.
   */
  async claim(userId: string, intervalSeconds: number): Promise<{ previous: Date | null } | false> {
    const [rows]: [Array<{ previous: Date | null }>, number] = await this.dataSource.query(
      `UPDATE users u SET last_digest_at = now() FROM (SELECT id, last_digest_at AS previous FROM users WHERE id = $1 FOR UPDATE) old
       WHERE u.id = old.id AND (old.previous IS NULL OR old.previous <= now() - make_interval(secs => $2))
       RETURNING old.previous`,
      [userId, intervalSeconds],
    );
    return rows.length > 0 ? { previous: rows[0].previous } : false;
  }

  /** Gives the claim back when the mail could not be sent, so the retry is not blocked for an hour. */
  async release(userId: string, previous: Date | null): Promise<void> {
    await this.dataSource.query(`UPDATE users SET last_digest_at = $2 WHERE id = $1`, [userId, previous]);
  }
}
