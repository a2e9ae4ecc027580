import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ChatMemberEntity, type MemberRole } from '@/models/chat-member.entity';
import { ChatEntity, type ChatType } from '@/models/chat.entity';
import type { MessageEntity, MessageRow } from '@/models/message.entity';
import type { UserEntity } from '@/models/user.entity';
import { CHAT_COLUMNS, MESSAGE_COLUMNS } from './columns';
import { poolOf, queryNamed } from './prepared';

/** pg_trgm word_similarity a title or name must reach to count as a match for the typed term. */
const TITLE_SIMILARITY_THRESHOLD = '0.45';

export interface MemberWithUser extends ChatMemberEntity {
  user: Pick<UserEntity, 'id' | 'username' | 'displayName'>;
}

export interface ChatWithMembership extends ChatEntity {
  myLastReadSeq: number;
}

export interface ChatListRow extends ChatWithMembership {
  activityAt: Date;
  members: Array<Omit<MemberWithUser, 'chatId' | 'joinedAt'> & { joinedAt: string }>;
  lastMessage: MessageRow | null;
}

/**
 * The page is cut first (a materialized CTE), so the members and the newest message are read for the rows shown
 * only. The newest message is found through the (chat_id, seq) unique index, members through the primary key.
 */
const CHAT_LIST_PAGE = `
  WITH page AS MATERIALIZED (
    SELECT ${CHAT_COLUMNS}, cm.last_read_seq AS "myLastReadSeq", coalesce(c.last_message_at, c.created_at) AS "activityAt"
    FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
    WHERE cm.user_id = $1
      AND (CASE WHEN $2::varchar IS NULL THEN c.type <> 'inbox' ELSE c.type = $2 END)
      AND ($3::timestamptz IS NULL OR (coalesce(c.last_message_at, c.created_at), c.id) < ($3, $4::uuid))
    ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
    LIMIT $5
  )
  SELECT page.*,
    (SELECT coalesce(json_agg(json_build_object(
       'userId', cm.user_id, 'role', cm.role, 'joinedAt', cm.joined_at, 'lastReadSeq', cm.last_read_seq,
       'user', json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name)
     ) ORDER BY cm.joined_at, cm.user_id), '[]'::json)
     FROM chat_members cm JOIN users u ON u.id = cm.user_id WHERE cm.chat_id = page.id) AS members,
    (SELECT row_to_json(last) FROM (
       SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.chat_id = page.id AND m.seq = page."lastMessageSeq"
     ) last) AS "lastMessage"
  FROM page
  ORDER BY page."activityAt" DESC, page.id DESC`;

@Injectable()
export class ChatRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The chat if `userId` is a member of it; membership and lookup are one query so a non-member learns nothing. */
  async findForMember(chatId: string, userId: string): Promise<ChatWithMembership | null> {
    const rows = await this.dataSource.query(
      `SELECT ${CHAT_COLUMNS}, cm.last_read_seq AS "myLastReadSeq"
       FROM chats c JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = $2
       WHERE c.id = $1`,
      [chatId, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * One page of the user's chats, most recently active first, each with its members and its newest message: the
   * chat list's one round trip (a named statement, planned once per connection). Inbox threads are listed only when
   * asked for (`type: 'inbox'`); the cursor is the last row's (activity, id), so a page never skips or repeats a chat.
   * Members and the newest message arrive as JSON, so their timestamps are ISO strings rather than Dates.
   */
  async listForUser(userId: string, page: { type?: ChatType; cursor?: { at: Date; id: string }; limit: number }): Promise<ChatListRow[]> {
    return queryNamed<ChatListRow>(poolOf(this.dataSource), 'chat_list_page', CHAT_LIST_PAGE, [
      userId,
      page.type ?? null,
      page.cursor?.at ?? null,
      page.cursor?.id ?? null,
      page.limit,
    ]);
  }

  /**
   * The caller's chats whose title, or another member's name, contains the term or resembles it by pg_trgm
   * word_similarity (so a contact's name in an inbox thread or a one-letter typo matches); the most similar first.
   */
  searchForUser(userId: string, term: string): Promise<ChatWithMembership[]> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [TITLE_SIMILARITY_THRESHOLD]);
      return tx.query(
        `SELECT ${CHAT_COLUMNS}, cm.last_read_seq AS "myLastReadSeq"
         FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
         CROSS JOIN LATERAL (
           SELECT greatest(
             CASE WHEN strpos(lower(c.title), $2) > 0 THEN 1 ELSE word_similarity($2, lower(coalesce(c.title, ''))) END,
             (SELECT max(CASE WHEN strpos(lower(u.display_name || ' ' || u.username), $2) > 0 THEN 1
                              ELSE word_similarity($2, lower(u.username || ' ' || u.display_name)) END)
              FROM chat_members o JOIN users u ON u.id = o.user_id WHERE o.chat_id = c.id AND o.user_id <> $1)) AS score
         ) s
         WHERE cm.user_id = $1 AND s.score >= current_setting('pg_trgm.word_similarity_threshold')::real
         ORDER BY s.score DESC, coalesce(c.last_message_at, c.created_at) DESC, c.id
         LIMIT 100`,
        [userId, term],
      );
    });
  }

  /** Makes the member list exactly `userIds` (for chats whose membership follows a rule, such as inbox threads). */
  async syncMembers(chatId: string, userIds: string[]): Promise<{ added: string[]; removed: string[]; before: string[] }> {
    return this.dataSource.transaction(async (tx) => {
      const beforeRows: Array<{ userId: string }> = await tx.query('SELECT user_id AS "userId" FROM chat_members WHERE chat_id = $1 FOR UPDATE', [chatId]);
      const [removed]: [Array<{ userId: string }>, number] = await tx.query(
        `DELETE FROM chat_members WHERE chat_id = $1 AND NOT (user_id = ANY($2::uuid[])) RETURNING user_id AS "userId"`,
        [chatId, userIds],
      );
      const added: Array<{ userId: string }> = await tx.query(
        `INSERT INTO chat_members (chat_id, user_id, role, last_read_seq) SELECT $1, u, 'member', 0 FROM unnest($2::uuid[]) AS u
         ON CONFLICT DO NOTHING RETURNING user_id AS "userId"`,
        [chatId, userIds],
      );
      if (removed.length || added.length) await tx.query('UPDATE chats SET updated_at = now() WHERE id = $1', [chatId]);
      return { added: added.map((r) => r.userId), removed: removed.map((r) => r.userId), before: beforeRows.map((r) => r.userId) };
    });
  }

  async findMember(chatId: string, userId: string): Promise<ChatMemberEntity | null> {
    const rows = await this.dataSource.query(
      `SELECT chat_id AS "chatId", user_id AS "userId", role, joined_at AS "joinedAt", last_read_seq AS "lastReadSeq"
       FROM chat_members WHERE chat_id = $1 AND user_id = $2`,
      [chatId, userId],
    );
    return rows[0] ?? null;
  }

  async membersOf(chatIds: string[]): Promise<MemberWithUser[]> {
    if (chatIds.length === 0) return [];
    const rows: Array<ChatMemberEntity & { username: string; displayName: string }> = await this.dataSource.query(
      `SELECT cm.chat_id AS "chatId", cm.user_id AS "userId", cm.role, cm.joined_at AS "joinedAt", cm.last_read_seq AS "lastReadSeq",
              u.username, u.display_name AS "displayName"
       FROM chat_members cm JOIN users u ON u.id = cm.user_id
       WHERE cm.chat_id = ANY($1::uuid[])
       ORDER BY cm.joined_at, cm.user_id`,
      [chatIds],
    );
    return rows.map(({ username, displayName, ...member }) => ({
      ...member,
      user: { id: member.userId, username, displayName },
    }));
  }

  async memberIds(chatId: string): Promise<string[]> {
    const rows: Array<{ userId: string }> = await this.dataSource.query(
      'SELECT user_id AS "userId" FROM chat_members WHERE chat_id = $1',
      [chatId],
    );
    return rows.map((r) => r.userId);
  }

  /** The newest message of each chat, found through the (chat_id, seq) unique index. */
  async lastMessages(chats: Array<Pick<ChatEntity, 'id' | 'lastMessageSeq'>>): Promise<MessageEntity[]> {
    const withMessages = chats.filter((c) => c.lastMessageSeq > 0);
    if (withMessages.length === 0) return [];
    return this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m
       JOIN unnest($1::uuid[], $2::int[]) AS t(chat_id, seq) ON m.chat_id = t.chat_id AND m.seq = t.seq`,
      [withMessages.map((c) => c.id), withMessages.map((c) => c.lastMessageSeq)],
    );
  }

  findDirect(directKey: string): Promise<ChatEntity | null> {
    return this.dataSource.getRepository(ChatEntity).findOne({ where: { directKey } });
  }

  /**
   * Creates the chat and its members in one transaction. For a direct chat a concurrent creator may win
   * the unique direct_key; then `null` is returned and the caller reads the winner's row.
   */
  async createWithMembers(
    chat: { type: ChatType; title: string | null; createdBy: string | null; directKey: string | null },
    members: Array<{ userId: string; role: MemberRole }>,
  ): Promise<ChatEntity | null> {
    return this.dataSource.transaction(async (tx: EntityManager) => {
      const inserted: ChatEntity[] = await tx.query(
        `INSERT INTO chats (type, title, created_by, direct_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (direct_key) WHERE direct_key IS NOT NULL DO NOTHING
         RETURNING id, type, title, created_by AS "createdBy", direct_key AS "directKey",
                   last_message_seq AS "lastMessageSeq", last_message_at AS "lastMessageAt", created_at AS "createdAt", updated_at AS "updatedAt"`,
        [chat.type, chat.title, chat.createdBy, chat.directKey],
      );
      if (inserted.length === 0) return null;
      const created = inserted[0];
      await tx.query(
        `INSERT INTO chat_members (chat_id, user_id, role)
         SELECT $1, u, r FROM unnest($2::uuid[], $3::varchar[]) AS t(u, r)`,
        [created.id, members.map((m) => m.userId), members.map((m) => m.role)],
      );
      return created;
    });
  }

  /** Adds a member; false when already a member. */
  async addMember(chatId: string, userId: string, role: MemberRole): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO chat_members (chat_id, user_id, role, last_read_seq)
       SELECT $1, $2, $3, 0 ON CONFLICT DO NOTHING RETURNING user_id`,
      [chatId, userId, role],
    );
    if (rows.length > 0) await this.touch(chatId);
    return rows.length > 0;
  }

  /**
   * Removes a member; when the owner leaves, the longest-standing remaining member becomes owner
   * so a group is never left without someone who can manage it.
   */
  async removeMember(chatId: string, userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const [removed]: [Array<{ role: MemberRole }>, number] = await tx.query(
        `DELETE FROM chat_members WHERE chat_id = $1 AND user_id = $2 RETURNING role`,
        [chatId, userId],
      );
      if (removed.length === 0) return false;
      if (removed[0].role === 'owner') {
        await tx.query(
          `UPDATE chat_members SET role = 'owner' WHERE (chat_id, user_id) = (
             SELECT chat_id, user_id FROM chat_members WHERE chat_id = $1
             ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1)`,
          [chatId],
        );
      }
      await tx.query('UPDATE chats SET updated_at = now() WHERE id = $1', [chatId]);
      return true;
    });
  }

  /**
   * Moves the read marker forward only, and never past the newest message. Returns the resulting seq and whether it
   * moved (the FROM subquery reads the row as it was before this statement).
   */
  async markRead(chatId: string, userId: string, seq: number): Promise<{ seq: number; moved: boolean } | null> {
    const [rows]: [Array<{ seq: number; before: number }>, number] = await this.dataSource.query(
      `UPDATE chat_members cm SET last_read_seq = GREATEST(cm.last_read_seq, LEAST($3::int, c.last_message_seq))
       FROM chats c, (SELECT last_read_seq AS before FROM chat_members WHERE chat_id = $1 AND user_id = $2) prev
       WHERE c.id = cm.chat_id AND cm.chat_id = $1 AND cm.user_id = $2
       RETURNING cm.last_read_seq AS seq, prev.before AS before`,
      [chatId, userId, seq],
    );
    return rows[0] ? { seq: rows[0].seq, moved: rows[0].seq > rows[0].before } : null;
  }

  /**
   * Who may see `userId`'s presence: members of the chats `userId` created or has sent a message in. Someone who
   * merely opened a direct chat with them (a stranger) does not qualify until they answer.
   */
  async presenceViewers(userId: string): Promise<string[]> {
    const rows: Array<{ userId: string }> = await this.dataSource.query(
      `SELECT DISTINCT other.user_id AS "userId"
       FROM chat_members mine
       JOIN chats c ON c.id = mine.chat_id
       JOIN chat_members other ON other.chat_id = mine.chat_id AND other.user_id <> $1
       WHERE mine.user_id = $1
         AND (c.created_by = $1 OR EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = c.id AND m.sender_id = $1))`,
      [userId],
    );
    return rows.map((r) => r.userId);
  }

  /** Which of `targets` let `viewerId` see their presence (the converse of presenceViewers). */
  async presenceVisibleTo(viewerId: string, targets: string[]): Promise<string[]> {
    if (targets.length === 0) return [];
    const rows: Array<{ userId: string }> = await this.dataSource.query(
      `SELECT DISTINCT t.user_id AS "userId"
       FROM chat_members t
       JOIN chat_members me ON me.chat_id = t.chat_id AND me.user_id = $1
       JOIN chats c ON c.id = t.chat_id
       WHERE t.user_id = ANY($2::uuid[]) AND t.user_id <> $1
         AND (c.created_by = t.user_id OR EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = c.id AND m.sender_id = t.user_id))`,
      [viewerId, targets],
    );
    return rows.map((r) => r.userId);
  }

  /** People who share at least one chat with `userId` (optionally only among `among`): who may see their presence. */
  async contactIds(userId: string, among?: string[]): Promise<string[]> {
    const rows: Array<{ userId: string }> = await this.dataSource.query(
      `SELECT DISTINCT other.user_id AS "userId"
       FROM chat_members mine JOIN chat_members other ON other.chat_id = mine.chat_id
       WHERE mine.user_id = $1 AND other.user_id <> $1 AND ($2::uuid[] IS NULL OR other.user_id = ANY($2::uuid[]))`,
      [userId, among ?? null],
    );
    return rows.map((r) => r.userId);
  }

  private async touch(chatId: string): Promise<void> {
    await this.dataSource.query('UPDATE chats SET updated_at = now() WHERE id = $1', [chatId]);
  }
}
