import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ContactRow } from '@/modules/bridge/models/contact.model';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';

const CONTACT_COLUMNS = `ct.id, ct.channel_id AS "channelId", ct.external_id AS "externalId", ct.name, ct.avatar_url AS "avatarUrl",
  ct.profile_url AS "profileUrl", ct.blocked_at AS "blockedAt", ct.person_id AS "personId", ct.email, ct.created_at AS "createdAt", ct.updated_at AS "updatedAt"`;
const THREAD_COLUMNS = `t.chat_id AS "chatId", t.channel_id AS "channelId", t.external_chat_id AS "externalChatId", t.contact_id AS "contactId",
  t.status, t.assignee_id AS "assigneeId", t.snoozed_until AS "snoozedUntil", t.context, t.last_activity_at AS "lastActivityAt",
  t.created_at AS "createdAt", t.updated_at AS "updatedAt"`;

/** Contacts as people: a contact, the contacts linked to it, and their threads. */
@Injectable()
export class ContactRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<ContactRow | null> {
    const rows: ContactRow[] = await this.dataSource.query(`SELECT ${CONTACT_COLUMNS} FROM contacts ct WHERE ct.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A website visitor's own name and e-mail; an absent field keeps its value. */
  async updateProfile(id: string, profile: { name?: string; email?: string }): Promise<ContactRow | null> {
    const rows: [ContactRow[], number] = await this.dataSource.query(
      `UPDATE contacts ct SET name = coalesce($2, ct.name), email = coalesce($3, ct.email), updated_at = now() WHERE ct.id = $1 RETURNING ${CONTACT_COLUMNS}`,
      [id, profile.name ?? null, profile.email ?? null],
    );
    return rows[0][0] ?? null;
  }

  /** The contact and every contact linked to it, the contact itself first. */
  person(contact: ContactRow): Promise<ContactRow[]> {
    return this.dataSource.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts ct WHERE ct.id = $1 OR ($2::uuid IS NOT NULL AND ct.person_id = $2) OR ct.id = $2
       ORDER BY (ct.id = $1) DESC, ct.created_at`,
      [contact.id, contact.personId],
    );
  }

  threadsOfContacts(contactIds: string[]): Promise<InboxThreadRow[]> {
    return this.dataSource.query(`SELECT ${THREAD_COLUMNS} FROM inbox_threads t WHERE t.contact_id = ANY($1::uuid[]) ORDER BY t.last_activity_at DESC`, [
      contactIds,
    ]);
  }

  /**
   * Joins the two people (each possibly several contacts already) into one: every contact of either ends up with the
   * same person id. Locked in id order so two links racing over the same contacts cannot deadlock.
   */
  async link(a: string, b: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const rows: Array<{ id: string; personId: string | null }> = await tx.query(
        `SELECT id, person_id AS "personId" FROM contacts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [[a, b]],
      );
      const keyOf = (id: string) => {
        const row = rows.find((r) => r.id === id);
        return row?.personId ?? id;
      };
      const target = keyOf(a);
      const other = keyOf(b);
      await tx.query(`UPDATE contacts SET person_id = $1, updated_at = now() WHERE id = $1 OR id = $2 OR person_id = $1 OR person_id = $2`, [target, other]);
    });
  }
}
