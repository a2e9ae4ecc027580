import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Facts the inbox statistics read instead of recomputing them from history on every request: when a thread's
 * customer first wrote and when (and by whom) they were first answered, and for each resolution since when the
 * thread had been open. With them every figure is one range scan, so a month of 100,000 threads stays fast.
 */
export class InboxStatsFacts1796600000000 implements MigrationInterface {
  name = 'InboxStatsFacts1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE inbox_threads
        ADD COLUMN first_customer_at timestamptz,
        ADD COLUMN first_response_at timestamptz,
        ADD COLUMN first_responder_id uuid`);
    await queryRunner.query(`
      UPDATE inbox_threads t SET first_customer_at = fi.at
      FROM (SELECT chat_id, min(created_at) AS at FROM messages WHERE sender_contact_id IS NOT NULL GROUP BY chat_id) fi
      WHERE fi.chat_id = t.chat_id`);
    await queryRunner.query(`
      UPDATE inbox_threads t SET first_response_at = r.created_at, first_responder_id = r.sender_id
      FROM inbox_threads f
      CROSS JOIN LATERAL (
        SELECT m.sender_id, m.created_at FROM messages m
        WHERE m.chat_id = f.chat_id AND m.sender_id IS NOT NULL AND NOT m.internal AND m.created_at >= f.first_customer_at
        ORDER BY m.created_at, m.seq LIMIT 1
      ) r
      WHERE f.chat_id = t.chat_id AND f.first_customer_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX inbox_threads_first_customer_idx ON inbox_threads (first_customer_at) WHERE first_customer_at IS NOT NULL`);

    await queryRunner.query(`ALTER TABLE thread_status_log ADD COLUMN open_since timestamptz`);
    await queryRunner.query(`
      UPDATE thread_status_log l SET open_since = (
        SELECT max(p.at) FROM thread_status_log p WHERE p.chat_id = l.chat_id AND p.to_status = 'open' AND p.id < l.id
      ) WHERE l.to_status = 'resolved'`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION inbox_thread_status_log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO thread_status_log (chat_id, channel_id, from_status, to_status, assignee_id, at)
          VALUES (NEW.chat_id, NEW.channel_id, NULL, NEW.status, NEW.assignee_id, NEW.created_at);
        ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
          INSERT INTO thread_status_log (chat_id, channel_id, from_status, to_status, assignee_id, open_since)
          VALUES (NEW.chat_id, NEW.channel_id, OLD.status, NEW.status, NEW.assignee_id, CASE WHEN NEW.status = 'resolved' THEN (
            SELECT max(p.at) FROM thread_status_log p WHERE p.chat_id = NEW.chat_id AND p.to_status = 'open'
          ) END);
        END IF;
        RETURN NULL;
      END $$`);

    // Messages of bridged threads only: customers' (a contact), operators' replies (a delivery) and what the
    // business wrote in the provider's own app (an external id). Notes and the messenger's own chats stay out.
    await queryRunner.query(`
      CREATE INDEX messages_bridged_created_idx ON messages (created_at)
      WHERE sender_contact_id IS NOT NULL OR delivery IS NOT NULL OR external_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_bridged_created_idx`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION inbox_thread_status_log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO thread_status_log (chat_id, channel_id, from_status, to_status, assignee_id, at)
          VALUES (NEW.chat_id, NEW.channel_id, NULL, NEW.status, NEW.assignee_id, NEW.created_at);
        ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
          INSERT INTO thread_status_log (chat_id, channel_id, from_status, to_status, assignee_id)
          VALUES (NEW.chat_id, NEW.channel_id, OLD.status, NEW.status, NEW.assignee_id);
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`ALTER TABLE thread_status_log DROP COLUMN open_since`);
    await queryRunner.query(`DROP INDEX inbox_threads_first_customer_idx`);
    await queryRunner.query(`ALTER TABLE inbox_threads DROP COLUMN first_customer_at, DROP COLUMN first_response_at, DROP COLUMN first_responder_id`);
  }
}
