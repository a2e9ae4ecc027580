import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ContactRow } from '@/modules/bridge/models/contact.model';
import type { TransactionQuery } from '@/core/message-hooks';
import type { InboxThreadRow, ThreadContext, ThreadOwner, ThreadStatus } from '@/modules/bridge/models/inbox-thread.model';

const CONTACT_COLUMNS = `ct.id, ct.channel_id AS "channelId", ct.external_id AS "externalId", ct.name, ct.avatar_url AS "avatarUrl",
  ct.profile_url AS "profileUrl", ct.blocked_at AS "blockedAt", ct.person_id AS "personId", ct.email, ct.created_at AS "createdAt", ct.updated_at AS "updatedAt"`;

/** The hand-off to people: the owner becomes human and the thread is open again (a snooze ends). Parameter: chatId. */
const HAND_OFF = `UPDATE inbox_threads t SET owner = 'human', status = 'open', snoozed_until = NULL, updated_at = now()
  WHERE t.chat_id = $1 AND t.owner = 'ai'`;

const THREAD_COLUMNS = `t.chat_id AS "chatId", t.channel_id AS "channelId", t.external_chat_id AS "externalChatId", t.contact_id AS "contactId",
  t.status, t.owner, t.ai_draft AS "aiDraft", t.ai_draft_at AS "aiDraftAt", t.assignee_id AS "assigneeId", t.snoozed_until AS "snoozedUntil", t.context, t.last_activity_at AS "lastActivityAt", t.created_at AS "createdAt", t.updated_at AS "updatedAt"`;

export interface ThreadListFilter {
  /** Channels the caller may see; null for an admin (every channel). */
  channelIds: string[] | null;
  channelId?: string;
  status?: ThreadStatus;
  /** 'none' for unassigned, a user id otherwise. */
  assignee?: string;
  labelId?: string;
  /** Only threads with messages this user has not read. */
  unreadFor?: string;
  /** Text searched in the contact's name and the thread's messages. */
  q?: string;
  cursor?: { at: Date; chatId: string };
  limit: number;
}

@Injectable()
export class InboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the customer, or refreshes the profile fields a newer event carries (never blanking a known value). */
  async upsertContact(channelId: string, externalId: string, profile: { name: string; avatarUrl?: string | null; profileUrl?: string | null }): Promise<ContactRow> {
    const rows: ContactRow[] = await this.dataSource.query(
      `INSERT INTO contacts AS ct (channel_id, external_id, name, avatar_url, profile_url) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (channel_id, external_id) DO UPDATE SET
         name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE ct.name END,
         avatar_url = coalesce(excluded.avatar_url, ct.avatar_url),
         profile_url = coalesce(excluded.profile_url, ct.profile_url),
         updated_at = now()
       RETURNING ${CONTACT_COLUMNS}`,
      [channelId, externalId, profile.name, profile.avatarUrl ?? null, profile.profileUrl ?? null],
    );
    return rows[0];
  }

  async contactsByIds(ids: string[]): Promise<ContactRow[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query(`SELECT ${CONTACT_COLUMNS} FROM contacts ct WHERE ct.id = ANY($1::uuid[])`, [ids]);
  }

  async markContactBlocked(contactId: string, blocked: boolean): Promise<void> {
    await this.dataSource.query(`UPDATE contacts SET blocked_at = CASE WHEN $2 THEN coalesce(blocked_at, now()) END, updated_at = now() WHERE id = $1`, [
      contactId,
      blocked,
    ]);
  }

  async findThread(channelId: string, externalChatId: string): Promise<InboxThreadRow | null> {
    const rows = await this.dataSource.query(`SELECT ${THREAD_COLUMNS} FROM inbox_threads t WHERE t.channel_id = $1 AND t.external_chat_id = $2`, [
      channelId,
      externalChatId,
    ]);
    return rows[0] ?? null;
  }

  async findThreadByChat(chatId: string): Promise<InboxThreadRow | null> {
    const rows = await this.dataSource.query(`SELECT ${THREAD_COLUMNS} FROM inbox_threads t WHERE t.chat_id = $1`, [chatId]);
    return rows[0] ?? null;
  }

  async insertThread(thread: { chatId: string; channelId: string; externalChatId: string; contactId: string; context: ThreadContext | null; owner: ThreadOwner }): Promise<InboxThreadRow> {
    const rows: InboxThreadRow[] = await this.dataSource.query(
      `INSERT INTO inbox_threads AS t (chat_id, channel_id, external_chat_id, contact_id, context, owner) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${THREAD_COLUMNS}`,
      [thread.chatId, thread.channelId, thread.externalChatId, thread.contactId, thread.context ? JSON.stringify(thread.context) : null, thread.owner],
    );
    return rows[0];
  }

  /**
   * The owner, read under the thread's row lock inside a message's transaction: a hand-off (which updates the row)
   * either committed before and is seen here, or waits until this transaction ends.
   */
  async ownerForUpdateInTransaction(tx: TransactionQuery, chatId: string): Promise<ThreadOwner | null> {
    const rows = await tx.query<{ owner: ThreadOwner }>(`SELECT owner FROM inbox_threads WHERE chat_id = $1 FOR UPDATE`, [chatId]);
    return rows[0]?.owner ?? null;
  }

  /**
   * ai → human inside an operator reply's transaction, unless the channel's agent only drafts (there people always
   * send); the row when this call changed it.
   */
  async handOffForReplyInTransaction(tx: TransactionQuery, chatId: string): Promise<{ channelId: string } | null> {
    const rows = await tx.query<{ channelId: string }>(
      `${HAND_OFF} AND coalesce((SELECT ch.ai->>'mode' FROM channels ch WHERE ch.id = t.channel_id), 'auto') <> 'draft'
       RETURNING t.channel_id AS "channelId"`,
      [chatId],
    );
    return rows[0] ?? null;
  }

  /** ai → human, status open; null when the thread was not the agent's (nothing changed, so nobody is alerted twice). */
  async handOff(chatId: string): Promise<InboxThreadRow | null> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(`${HAND_OFF} RETURNING ${THREAD_COLUMNS}`, [chatId]);
    return rows[0] ?? null;
  }

  /** human → ai; null when it already was the agent's. */
  async returnToAi(chatId: string): Promise<InboxThreadRow | null> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET owner = 'ai', updated_at = now() WHERE t.chat_id = $1 AND t.owner = 'human' RETURNING ${THREAD_COLUMNS}`,
      [chatId],
    );
    return rows[0] ?? null;
  }

  /**
   * Customer messages the AI agent owes an answer to: the newest message of a thread it owns (auto mode, agent
   * enabled) is the customer's, from the last `withinSeconds`. Walks the activity index, so only recent threads are read.
   */
  owedAiReplies(withinSeconds: number, limit: number): Promise<Array<{ chatId: string; messageId: string; createdAt: Date }>> {
    return this.dataSource.query(
      `SELECT t.chat_id AS "chatId", m.id AS "messageId", m.created_at AS "createdAt"
       FROM inbox_threads t
       JOIN channels ch ON ch.id = t.channel_id AND ch.deleted_at IS NULL AND ch.ai->>'enabled' = 'true' AND ch.ai->>'mode' = 'auto'
       JOIN LATERAL (
         SELECT id, created_at, sender_contact_id FROM messages
         WHERE chat_id = t.chat_id AND deleted_at IS NULL AND NOT internal ORDER BY seq DESC LIMIT 1
       ) m ON m.sender_contact_id IS NOT NULL
       WHERE t.last_activity_at > now() - make_interval(secs => $1) AND t.owner = 'ai'
       ORDER BY t.last_activity_at DESC LIMIT $2`,
      [withinSeconds, limit],
    );
  }

  /** Stores the agent's draft (replacing an older one), or clears it with null. */
  async setDraft(chatId: string, text: string | null): Promise<InboxThreadRow | null> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET ai_draft = $2, ai_draft_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END WHERE t.chat_id = $1 RETURNING ${THREAD_COLUMNS}`,
      [chatId, text],
    );
    return rows[0] ?? null;
  }

  /** Marks customer activity; a resolved thread opens again. Returns the row and whether its status changed. */
  async touchFromCustomer(chatId: string, at: Date, context: ThreadContext | null): Promise<{ thread: InboxThreadRow; reopened: boolean } | null> {
    const [rows]: [Array<InboxThreadRow & { reopened: boolean }>, number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET
         last_activity_at = GREATEST(t.last_activity_at, $2),
         first_customer_at = LEAST(coalesce(t.first_customer_at, $2), $2),
         context = coalesce($3::jsonb, t.context),
         status = CASE WHEN t.status IN ('resolved', 'snoozed') THEN 'open' ELSE t.status END,
         snoozed_until = NULL,
         updated_at = now()
       FROM (SELECT status AS old_status FROM inbox_threads WHERE chat_id = $1 FOR UPDATE) old
       WHERE t.chat_id = $1
       RETURNING ${THREAD_COLUMNS}, old.old_status IN ('resolved', 'snoozed') AS reopened`,
      [chatId, at, context ? JSON.stringify(context) : null],
    );
    if (!rows[0]) return null;
    const { reopened, ...thread } = rows[0];
    return { thread, reopened };
  }

  /**
   * Inside the transaction of an operator's reply: the thread's first answer to its customer, kept for the first
   * response time. `now()` is the transaction's time, which is the reply's created_at.
   */
  async markRepliedInTransaction(tx: TransactionQuery, chatId: string, senderId: string): Promise<void> {
    await tx.query(
      `UPDATE inbox_threads SET first_response_at = now(), first_responder_id = $2
       WHERE chat_id = $1 AND first_response_at IS NULL AND first_customer_at <= now()`,
      [chatId, senderId],
    );
  }

  async touch(chatId: string, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE inbox_threads SET last_activity_at = GREATEST(last_activity_at, $2) WHERE chat_id = $1`, [chatId, at]);
  }

  /** A status other than snoozed clears snoozedUntil; snoozing sets it. */
  async updateThread(chatId: string, changes: { status?: ThreadStatus; assigneeId?: string | null; snoozedUntil?: Date | null }): Promise<InboxThreadRow | null> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET
         status = coalesce($2, t.status),
         assignee_id = CASE WHEN $3 THEN $4::uuid ELSE t.assignee_id END,
         snoozed_until = CASE WHEN $2::varchar IS NULL THEN t.snoozed_until WHEN $2 = 'snoozed' THEN $5::timestamptz ELSE NULL END,
         updated_at = now()
       WHERE t.chat_id = $1 RETURNING ${THREAD_COLUMNS}`,
      [chatId, changes.status ?? null, changes.assigneeId !== undefined, changes.assigneeId ?? null, changes.snoozedUntil ?? null],
    );
    return rows[0] ?? null;
  }

  /** Assigns the thread to `userId` only if nobody else has it (a compare-and-set, so two takes cannot both win). */
  async assignIfFree(chatId: string, userId: string): Promise<InboxThreadRow | null> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET assignee_id = $2, updated_at = now()
       WHERE t.chat_id = $1 AND (t.assignee_id IS NULL OR t.assignee_id = $2) RETURNING ${THREAD_COLUMNS}`,
      [chatId, userId],
    );
    return rows[0] ?? null;
  }

  threadsOfChannel(channelId: string): Promise<InboxThreadRow[]> {
    return this.dataSource.query(`SELECT ${THREAD_COLUMNS} FROM inbox_threads t WHERE t.channel_id = $1`, [channelId]);
  }

  /** Unassigns a thread whose assignee lost access to its channel. */
  async unassignWithout(channelId: string, keepUserIds: string[]): Promise<InboxThreadRow[]> {
    const [rows]: [InboxThreadRow[], number] = await this.dataSource.query(
      `UPDATE inbox_threads t SET assignee_id = NULL, updated_at = now()
       WHERE t.channel_id = $1 AND t.assignee_id IS NOT NULL AND NOT (t.assignee_id = ANY($2::uuid[]))
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.assignee_id AND u.role = 'admin')
       RETURNING ${THREAD_COLUMNS}`,
      [channelId, keepUserIds],
    );
    return rows;
  }

  /** Newest activity first; the cursor is the last row's (activity, chat id), so pages never skip or repeat a row. */
  list(filter: ThreadListFilter): Promise<InboxThreadRow[]> {
    const { where, params } = threadFilterSql(filter);
    const n = params.length;
    return this.dataSource.query(
      `SELECT ${THREAD_COLUMNS} FROM inbox_threads t
       WHERE ${where}
         AND ($${n + 1}::timestamptz IS NULL OR (t.last_activity_at, t.chat_id) < ($${n + 1}, $${n + 2}::uuid))
       ORDER BY t.last_activity_at DESC, t.chat_id DESC
       LIMIT $${n + 3}`,
      [...params, filter.cursor?.at ?? null, filter.cursor?.chatId ?? null, filter.limit],
    );
  }

  /** How many threads each inbox tab holds under the same filters (the assignee filter is the tab itself). */
  async counts(filter: Omit<ThreadListFilter, 'assignee' | 'cursor' | 'limit'>, userId: string): Promise<{ mine: number; unassigned: number; all: number }> {
    const { where, params } = threadFilterSql(filter);
    const n = params.length;
    const rows: Array<{ mine: number; unassigned: number; all: number }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE t.assignee_id = $${n + 1})::int AS mine,
              count(*) FILTER (WHERE t.assignee_id IS NULL)::int AS unassigned,
              count(*)::int AS "all"
       FROM inbox_threads t WHERE ${where}`,
      [...params, userId],
    );
    return rows[0] ?? { mine: 0, unassigned: 0, all: 0 };
  }
}

/**
 * The WHERE clause shared by the list and the counts. `unreadFor` compares the viewer's read marker with the chat's
 * last seq; `q` matches the contact's name or any message text of the thread (case-insensitive substring).
 */
function threadFilterSql(filter: Omit<ThreadListFilter, 'cursor' | 'limit'>): { where: string; params: unknown[] } {
  const q = filter.q?.trim() ? `%${filter.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  return {
    where: `($1::uuid[] IS NULL OR t.channel_id = ANY($1::uuid[]))
         AND ($2::uuid IS NULL OR t.channel_id = $2)
         AND ($3::varchar IS NULL OR t.status = $3)
         AND ($4::varchar IS NULL OR ($4 = 'none' AND t.assignee_id IS NULL) OR t.assignee_id::text = $4)
         AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM thread_labels tl WHERE tl.chat_id = t.chat_id AND tl.label_id = $5))
         AND ($6::uuid IS NULL OR EXISTS (
               SELECT 1 FROM chats c JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = $6
               WHERE c.id = t.chat_id AND c.last_message_seq > cm.last_read_seq))
         AND ($7::text IS NULL
              OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.id = t.contact_id AND ct.name ILIKE $7)
              OR EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = t.chat_id AND m.deleted_at IS NULL AND m.body ILIKE $7))`,
    params: [filter.channelIds, filter.channelId ?? null, filter.status ?? null, filter.assignee ?? null, filter.labelId ?? null, filter.unreadFor ?? null, q],
  };
}
