import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import type { UserRole } from '@/models/user.entity';
import type { ScheduledMessageRow } from '@/models/scheduled-message.entity';

const columns = (a: string) => `${a}.id, ${a}.chat_id AS "chatId", ${a}.sender_id AS "senderId", ${a}.client_id AS "clientId", ${a}.body,
  ${a}.reply_to_id AS "replyToId", ${a}.send_at AS "sendAt", ${a}.status, ${a}.version, ${a}.message_id AS "messageId", ${a}.failure,
  ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt"`;
const COLUMNS = columns('scheduled_messages');

export interface NewScheduledMessage {
  chatId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyToId: string | null;
  sendAt: Date;
}

export type ClaimedScheduledMessage = ScheduledMessageRow & { senderUsername: string; senderRole: UserRole };

@Injectable()
export class ScheduledMessageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the message; null when the sender already used this clientId for a scheduled message. */
  async insert(input: NewScheduledMessage): Promise<ScheduledMessageRow | null> {
    try {
      const [row] = await this.dataSource.query(
        `INSERT INTO scheduled_messages (chat_id, sender_id, client_id, body, reply_to_id, send_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [input.chatId, input.senderId, input.clientId, input.body, input.replyToId, input.sendAt],
      );
      return row;
    } catch (error) {
      const pgError = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; constraint?: string };
      if (pgError?.code === '23505' && pgError.constraint === 'scheduled_messages_sender_client_key') return null;
      throw error;
    }
  }

  async findByClientId(senderId: string, clientId: string): Promise<ScheduledMessageRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM scheduled_messages WHERE sender_id = $1 AND client_id = $2`, [senderId, clientId]);
    return rows[0] ?? null;
  }

  /** The sender's own row in that chat, whatever its status. */
  async findOwn(id: string, chatId: string, senderId: string): Promise<ScheduledMessageRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM scheduled_messages WHERE id = $1 AND chat_id = $2 AND sender_id = $3`, [
      id,
      chatId,
      senderId,
    ]);
    return rows[0] ?? null;
  }

  /** What the author still waits for in this chat, soonest first. */
  listPending(chatId: string, senderId: string): Promise<ScheduledMessageRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM scheduled_messages WHERE chat_id = $1 AND sender_id = $2 AND status = 'pending' ORDER BY send_at, id LIMIT 500`,
      [chatId, senderId],
    );
  }

  /** Changes a message that has not started going out; each change bumps the version, which retires the old job. */
  async update(id: string, changes: { body?: string; sendAt?: Date }): Promise<ScheduledMessageRow | null> {
    const [rows]: [ScheduledMessageRow[], number] = await this.dataSource.query(
      `UPDATE scheduled_messages SET body = coalesce($2, body), send_at = coalesce($3, send_at), version = version + 1, updated_at = now()
       WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
      [id, changes.body ?? null, changes.sendAt ?? null],
    );
    return rows[0] ?? null;
  }

  /** Cancels: only a message that has not started going out can be taken back. */
  async deletePending(id: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(`DELETE FROM scheduled_messages WHERE id = $1 AND status = 'pending' RETURNING id`, [id]);
    return rows.length > 0;
  }

  /**
   * Takes the row for sending if it is still this version and not sent. `sending` is accepted again, so a job whose
   * worker died after claiming is finished by the retry; the send itself is idempotent by (sender, clientId).
   * Two seconds of slack absorb a clock difference between the worker host (which timed the delay) and the database.
   */
  async claim(id: string, version: number): Promise<ClaimedScheduledMessage | null> {
    const [rows]: [ClaimedScheduledMessage[], number] = await this.dataSource.query(
      `UPDATE scheduled_messages s SET status = 'sending', updated_at = now()
       FROM users u
       WHERE s.id = $1 AND s.version = $2 AND s.status IN ('pending', 'sending') AND s.send_at <= now() + interval '2 seconds' AND u.id = s.sender_id
       RETURNING ${columns('s')}, u.username AS "senderUsername", u.role AS "senderRole"`,
      [id, version],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<ScheduledMessageRow | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM scheduled_messages WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async markSent(id: string, messageId: string): Promise<void> {
    await this.dataSource.query(`UPDATE scheduled_messages SET status = 'sent', message_id = $2, updated_at = now() WHERE id = $1`, [id, messageId]);
  }

  async markFailed(id: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE scheduled_messages SET status = 'failed', failure = left($2, 255), updated_at = now() WHERE id = $1 AND status <> 'sent'`,
      [id, reason],
    );
  }

  /** Every message not yet sent, for re-creating delayed jobs that Redis lost. */
  listUnsent(limit: number, after?: { sendAt: Date; id: string }): Promise<Array<Pick<ScheduledMessageRow, 'id' | 'version' | 'sendAt'>>> {
    return this.dataSource.query(
      `SELECT id, version, send_at AS "sendAt" FROM scheduled_messages
       WHERE status IN ('pending', 'sending') AND ($2::timestamptz IS NULL OR (send_at, id) > ($2, $3::uuid))
       ORDER BY send_at, id LIMIT $1`,
      [limit, after?.sendAt ?? null, after?.id ?? null],
    );
  }
}
