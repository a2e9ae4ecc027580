import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AttachmentEntity, AttachmentStatus } from '@/models/attachment.entity';

const COLUMNS = `a.id, a.chat_id AS "chatId", a.uploader_id AS "uploaderId", a.uploader_contact_id AS "uploaderContactId", a.message_id AS "messageId", a.position, a.status,
  a.reject_reason AS "rejectReason", a.file_name AS "fileName", a.content_type AS "contentType", a.size::float8 AS size,
  a.object_key AS "objectKey", a.thumbnail_key AS "thumbnailKey", a.width, a.height, a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

const RETURNING = COLUMNS.replace(/\ba\./g, '');

export interface NewAttachment {
  id: string;
  chatId: string;
  /** A user, or (for a website visitor's upload) null with `uploaderContactId` set. */
  uploaderId: string | null;
  uploaderContactId?: string | null;
  fileName: string;
  contentType: string;
  size: number;
  objectKey: string;
}

/** An attachment as seen by one user: visible when it is theirs, or sent in a chat they belong to. */
export interface VisibleAttachment extends AttachmentEntity {
  messageDeleted: boolean;
}

export type CreateResult = { status: 'created'; attachment: AttachmentEntity } | { status: 'quota_exceeded'; usedBytes: number };

@Injectable()
export class AttachmentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts the row if the uploader's live uploads plus this one stay within the quota. A per-user advisory
   * lock serialises concurrent requests of the same user, so two uploads cannot both squeeze under the limit.
   */
  async create(input: NewAttachment, quotaBytes: number): Promise<CreateResult> {
    return this.dataSource.transaction(async (tx) => {
      const byContact = input.uploaderId === null;
      const owner = byContact ? input.uploaderContactId : input.uploaderId;
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('attachment-quota:' || $1, 0))`, [owner]);
      const [{ used }]: Array<{ used: number }> = await tx.query(
        `SELECT coalesce(sum(size), 0)::float8 AS used FROM attachments WHERE ${byContact ? 'uploader_contact_id' : 'uploader_id'} = $1 AND status <> 'rejected'`,
        [owner],
      );
      if (used + input.size > quotaBytes) return { status: 'quota_exceeded', usedBytes: used };
      const rows: AttachmentEntity[] = await tx.query(
        `INSERT INTO attachments (id, chat_id, uploader_id, uploader_contact_id, file_name, content_type, size, object_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${RETURNING}`,
        [input.id, input.chatId, input.uploaderId, input.uploaderContactId ?? null, input.fileName, input.contentType, input.size, input.objectKey],
      );
      return { status: 'created', attachment: rows[0] };
    });
  }

  /**
   * A file that arrived with a bridged message, already in storage: inserted ready and attached in one step
   * (the object key is unique, so a repeated import adds nothing), and the message row touched so /sync hands it out again.
   */
  async insertImported(input: Omit<NewAttachment, 'uploaderId'> & { messageId: string; position: number }): Promise<AttachmentEntity | null> {
    return this.dataSource.transaction(async (tx) => {
      const rows: AttachmentEntity[] = await tx.query(
        `INSERT INTO attachments (id, chat_id, uploader_id, message_id, position, status, file_name, content_type, size, object_key)
         VALUES ($1, $2, NULL, $3, $4, 'ready', $5, $6, $7, $8) ON CONFLICT (object_key) DO NOTHING RETURNING ${RETURNING}`,
        [input.id, input.chatId, input.messageId, input.position, input.fileName, input.contentType, input.size, input.objectKey],
      );
      if (rows.length === 0) return null;
      await tx.query(`UPDATE messages SET body = body WHERE id = $1`, [input.messageId]);
      return rows[0];
    });
  }

  async findById(id: string): Promise<AttachmentEntity | null> {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM attachments a WHERE a.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * The attachment if `userId` may see it: a member of its chat, and either the uploader or the attachment
   * was sent in a message. One query, so a non-member learns nothing, not even that the id exists.
   */
  async findVisible(id: string, userId: string): Promise<VisibleAttachment | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS}, (m.deleted_at IS NOT NULL) AS "messageDeleted"
       FROM attachments a
       JOIN chat_members cm ON cm.chat_id = a.chat_id AND cm.user_id = $2
       LEFT JOIN messages m ON m.id = a.message_id
       WHERE a.id = $1 AND (a.uploader_id = $2 OR a.message_id IS NOT NULL)`,
      [id, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * An attachment a website visitor may see in their thread: their own upload, or a file of a message in it that is
   * neither an internal note nor deleted.
   */
  async findForContact(id: string, chatId: string, contactId: string): Promise<AttachmentEntity | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
       WHERE a.id = $1 AND a.chat_id = $2
         AND (a.uploader_contact_id = $3 OR (m.id IS NOT NULL AND NOT m.internal AND m.deleted_at IS NULL))`,
      [id, chatId, contactId],
    );
    return rows[0] ?? null;
  }

  /** How many of `ids` are the contact's own ready uploads to the chat, not sent yet. */
  async countSendableByContact(ids: string[], chatId: string, contactId: string): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM attachments WHERE id = ANY($1::uuid[]) AND chat_id = $2 AND uploader_contact_id = $3 AND status = 'ready' AND message_id IS NULL`,
      [ids, chatId, contactId],
    );
    return n;
  }

  /**
   * Attaches a visitor's uploads to their stored message, in the order given, and touches the message so /sync hands
   * it out again. Only still-unsent uploads of that contact move; a repeat attaches nothing more.
   */
  async claimForContactMessage(messageId: string, chatId: string, contactId: string, ids: string[]): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [rows]: [Array<{ id: string }>, number] = await tx.query(
        `UPDATE attachments SET message_id = $1, position = array_position($4::uuid[], id) - 1, updated_at = now()
         WHERE id = ANY($4::uuid[]) AND chat_id = $2 AND uploader_contact_id = $3 AND status = 'ready' AND message_id IS NULL RETURNING id`,
        [messageId, chatId, contactId, ids],
      );
      if (rows.length) await tx.query(`UPDATE messages SET body = body WHERE id = $1`, [messageId]);
      return rows.length;
    });
  }

  async findByIds(ids: string[]): Promise<AttachmentEntity[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query(`SELECT ${COLUMNS} FROM attachments a WHERE a.id = ANY($1::uuid[])`, [ids]);
  }

  /** Moves a pending upload to its verdict; null when it was no longer pending (a concurrent completion won). */
  async settle(id: string, verdict: { status: Exclude<AttachmentStatus, 'pending'>; rejectReason?: string; objectKey?: string }): Promise<AttachmentEntity | null> {
    const [rows]: [AttachmentEntity[], number] = await this.dataSource.query(
      `UPDATE attachments SET status = $2, reject_reason = $3, object_key = coalesce($4, object_key), updated_at = now()
       WHERE id = $1 AND status = 'pending' RETURNING ${RETURNING}`,
      [id, verdict.status, verdict.rejectReason ?? null, verdict.objectKey ?? null],
    );
    return rows[0] ?? null;
  }

  /** Also marks a sent attachment's message as changed, so a client catching up through /sync gets the thumbnail too. */
  async setThumbnail(id: string, thumbnail: { key: string; width: number; height: number }): Promise<AttachmentEntity | null> {
    const rows: AttachmentEntity[] = await this.dataSource.query(
      `WITH a AS (
         UPDATE attachments SET thumbnail_key = $2, width = $3, height = $4, updated_at = now() WHERE id = $1 RETURNING *
       ), touched AS (
         UPDATE messages SET sync_xid = pg_current_xact_id() WHERE id = (SELECT message_id FROM a)
       )
       SELECT ${RETURNING} FROM a`,
      [id, thumbnail.key, thumbnail.width, thumbnail.height],
    );
    return rows[0] ?? null;
  }

  async setDimensions(id: string, width: number, height: number): Promise<void> {
    await this.dataSource.query(`UPDATE attachments SET width = $2, height = $3, updated_at = now() WHERE id = $1`, [id, width, height]);
  }

  /** Ready images still without a thumbnail, settled before `before`: the thumbnail jobs PostgreSQL says are owed. */
  async listAwaitingThumbnail(contentTypes: readonly string[], before: Date, limit: number): Promise<Array<{ id: string }>> {
    return this.dataSource.query(
      `SELECT a.id FROM attachments a
       WHERE a.status = 'ready' AND a.thumbnail_key IS NULL AND a.content_type = ANY($1) AND a.updated_at < $2
       ORDER BY a.updated_at LIMIT $3`,
      [contentTypes, before, limit],
    );
  }

  /** Uploads never sent with a message and older than `before`: pending, rejected, or ready but abandoned. */
  async listUnsentBefore(before: Date, limit: number): Promise<AttachmentEntity[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM attachments a WHERE a.message_id IS NULL AND a.created_at < $1 ORDER BY a.created_at LIMIT $2`,
      [before, limit],
    );
  }

  /** Attachments whose message was deleted: their files go, as the message text did. */
  async listOfDeletedMessages(limit: number): Promise<AttachmentEntity[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM attachments a JOIN messages m ON m.id = a.message_id
       WHERE m.deleted_at IS NOT NULL ORDER BY m.deleted_at LIMIT $1`,
      [limit],
    );
  }

  /**
   * Deletes the rows that are still unsent (or whose message is deleted) and returns their storage keys,
   * so objects are removed only for rows really gone and a send racing the cleanup never loses its file.
   */
  async deleteRemovable(ids: string[]): Promise<Array<{ id: string; objectKey: string; thumbnailKey: string | null }>> {
    if (ids.length === 0) return [];
    const [rows]: [Array<{ id: string; objectKey: string; thumbnailKey: string | null }>, number] = await this.dataSource.query(
      `DELETE FROM attachments a WHERE a.id = ANY($1::uuid[])
       AND (a.message_id IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = a.message_id AND m.deleted_at IS NOT NULL))
       RETURNING a.id, a.object_key AS "objectKey", a.thumbnail_key AS "thumbnailKey"`,
      [ids],
    );
    return rows;
  }
}
