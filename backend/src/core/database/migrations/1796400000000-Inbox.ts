import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator inbox: snoozed threads, the status-change log the statistics are computed from, labels, canned
 * replies, and links between contacts of one person. The log is written by a trigger, so every path that changes a
 * thread's status (an operator, a customer's message, a snooze running out) is recorded the same way.
 */
export class Inbox1796400000000 implements MigrationInterface {
  name = 'Inbox1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE inbox_threads ADD COLUMN snoozed_until timestamptz`);
    await queryRunner.query(`CREATE INDEX inbox_threads_snoozed_idx ON inbox_threads (snoozed_until) WHERE status = 'snoozed'`);
    await queryRunner.query(`CREATE INDEX inbox_threads_assignee_idx ON inbox_threads (assignee_id, status)`);

    await queryRunner.query(`
      CREATE TABLE thread_status_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        chat_id uuid NOT NULL REFERENCES inbox_threads (chat_id) ON DELETE CASCADE,
        channel_id uuid NOT NULL,
        from_status varchar(16),
        to_status varchar(16) NOT NULL,
        assignee_id uuid,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX thread_status_log_at_idx ON thread_status_log (at, channel_id)`);
    await queryRunner.query(`CREATE INDEX thread_status_log_chat_idx ON thread_status_log (chat_id, at)`);
    await queryRunner.query(`
      CREATE FUNCTION inbox_thread_status_log() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await queryRunner.query(`
      CREATE TRIGGER inbox_threads_status_log AFTER INSERT OR UPDATE OF status ON inbox_threads
      FOR EACH ROW EXECUTE FUNCTION inbox_thread_status_log()`);
    // Threads that existed before the log: their opening is known from created_at.
    await queryRunner.query(`
      INSERT INTO thread_status_log (chat_id, channel_id, from_status, to_status, assignee_id, at)
      SELECT chat_id, channel_id, NULL, 'open', assignee_id, created_at FROM inbox_threads`);

    await queryRunner.query(`
      CREATE TABLE labels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        color varchar(7) NOT NULL DEFAULT '#64748b',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX labels_name_key ON labels (lower(name))`);
    await queryRunner.query(`
      CREATE TABLE thread_labels (
        chat_id uuid NOT NULL REFERENCES inbox_threads (chat_id) ON DELETE CASCADE,
        label_id uuid NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chat_id, label_id)
      )`);
    await queryRunner.query(`CREATE INDEX thread_labels_label_idx ON thread_labels (label_id)`);

    await queryRunner.query(`
      CREATE TABLE canned_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        shortcut varchar(64) NOT NULL,
        body text NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX canned_responses_shortcut_key ON canned_responses (lower(shortcut))`);

    // Contacts of one person share a person id (the id of one of them); null means the contact stands alone.
    await queryRunner.query(`ALTER TABLE contacts ADD COLUMN person_id uuid`);
    await queryRunner.query(`CREATE INDEX contacts_person_idx ON contacts (person_id) WHERE person_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX contacts_person_idx`);
    await queryRunner.query(`ALTER TABLE contacts DROP COLUMN person_id`);
    await queryRunner.query(`DROP TABLE canned_responses`);
    await queryRunner.query(`DROP TABLE thread_labels`);
    await queryRunner.query(`DROP TABLE labels`);
    await queryRunner.query(`DROP TRIGGER inbox_threads_status_log ON inbox_threads`);
    await queryRunner.query(`DROP FUNCTION inbox_thread_status_log()`);
    await queryRunner.query(`DROP TABLE thread_status_log`);
    await queryRunner.query(`DROP INDEX inbox_threads_assignee_idx`);
    await queryRunner.query(`DROP INDEX inbox_threads_snoozed_idx`);
    await queryRunner.query(`UPDATE inbox_threads SET status = 'open' WHERE status = 'snoozed'`);
    await queryRunner.query(`ALTER TABLE inbox_threads DROP COLUMN snoozed_until`);
  }
}
