import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Row-level: an edit of one of `columns` stamps the row with the writing transaction. */
const touchTrigger = (table: string, columns: string) => `
      CREATE TRIGGER ${table}_sync_touch BEFORE UPDATE OF ${columns} ON ${table}
      FOR EACH ROW EXECUTE FUNCTION sync_touch_row()`;

/**
 * Statement-level, so adding or removing a thousand members touches their chat once: the function stamps every chat
 * in the transition table `change` (after `first`, when given), and the trigger runs it after each `event`.
 */
const membershipTrigger = (change: 'added' | 'removed', event: 'INSERT' | 'DELETE', transition: 'NEW' | 'OLD', first?: string) => [
  `
      CREATE FUNCTION sync_members_${change}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${first ? `\n        ${first}` : ''}
        UPDATE chats SET sync_xid = pg_current_xact_id() WHERE id IN (SELECT DISTINCT chat_id FROM ${change});
        RETURN NULL;
      END $$`,
  `
      CREATE TRIGGER chat_members_sync_${change} AFTER ${event} ON chat_members
      REFERENCING ${transition} TABLE AS ${change} FOR EACH STATEMENT EXECUTE FUNCTION sync_members_${change}()`,
];

/**
 * Change tracking for `GET /sync`. Every changed row carries the 64-bit id of the transaction that wrote it
 * (`sync_xid`); a reader only hands out rows below its snapshot's xmin, so a transaction that commits late can
 * never slip under a cursor already given out. The send path pays one index entry per message and nothing else:
 * the column default fills it, and the triggers fire only on edits, deletes and membership changes.
 */
export class SyncVersions1795307129761 implements MigrationInterface {
  name = 'SyncVersions1795307129761';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await queryRunner.query(`ALTER TABLE chats ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    // Sync walks each of the user's chats from the cursor in (xid, seq) order.
    await queryRunner.query(`CREATE INDEX messages_chat_sync_idx ON messages (chat_id, sync_xid, seq)`);

    // Removed members no longer join the chat, so their removal has to be remembered for their next sync.
    await queryRunner.query(`
      CREATE TABLE chat_member_removals (
        chat_id uuid NOT NULL,
        user_id uuid NOT NULL,
        sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        removed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX chat_member_removals_user_idx ON chat_member_removals (user_id, sync_xid)`);

    await queryRunner.query(`
      CREATE FUNCTION sync_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.sync_xid := pg_current_xact_id();
        RETURN NEW;
      END $$`);
    await queryRunner.query(touchTrigger('messages', 'body, edited_at, deleted_at'));
    await queryRunner.query(touchTrigger('chats', 'title, type'));

    for (const sql of membershipTrigger('added', 'INSERT', 'NEW')) await queryRunner.query(sql);
    for (const sql of membershipTrigger('removed', 'DELETE', 'OLD', 'INSERT INTO chat_member_removals (chat_id, user_id) SELECT chat_id, user_id FROM removed;')) {
      await queryRunner.query(sql);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER chat_members_sync_removed ON chat_members`);
    await queryRunner.query(`DROP TRIGGER chat_members_sync_added ON chat_members`);
    await queryRunner.query(`DROP TRIGGER chats_sync_touch ON chats`);
    await queryRunner.query(`DROP TRIGGER messages_sync_touch ON messages`);
    await queryRunner.query(`DROP FUNCTION sync_members_removed()`);
    await queryRunner.query(`DROP FUNCTION sync_members_added()`);
    await queryRunner.query(`DROP FUNCTION sync_touch_row()`);
    await queryRunner.query(`DROP TABLE chat_member_removals`);
    await queryRunner.query(`DROP INDEX messages_chat_sync_idx`);
    await queryRunner.query(`ALTER TABLE chats DROP COLUMN sync_xid`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN sync_xid`);
  }
}
