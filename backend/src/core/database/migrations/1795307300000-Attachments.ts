import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Uploaded files and the per-user e-mail digest settings. */
export class Attachments1795307300000 implements MigrationInterface {
  name = 'Attachments1795307300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        uploader_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        message_id uuid REFERENCES messages (id) ON DELETE CASCADE,
        position smallint NOT NULL DEFAULT 0,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'rejected')),
        reject_reason varchar(255),
        file_name varchar(255) NOT NULL,
        content_type varchar(255) NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        object_key varchar(255) NOT NULL UNIQUE,
        thumbnail_key varchar(255),
        width integer,
        height integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (message_id IS NULL OR status = 'ready')
      )`);
    // Every message read embeds its attachments through this index.
    await queryRunner.query(`CREATE INDEX attachments_message_idx ON attachments (message_id, position) WHERE message_id IS NOT NULL`);
    // The quota check sums one user's live uploads without touching the table.
    await queryRunner.query(`CREATE INDEX attachments_uploader_idx ON attachments (uploader_id) INCLUDE (size) WHERE status <> 'rejected'`);
    // The cleanup job walks old pending and rejected rows only.
    await queryRunner.query(`CREATE INDEX attachments_unsent_idx ON attachments (created_at) WHERE message_id IS NULL`);

    await queryRunner.query(`ALTER TABLE users ADD COLUMN email_digest boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE users ADD COLUMN last_digest_at timestamptz`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN last_digest_at`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN email_digest`);
    await queryRunner.query(`DROP TABLE attachments`);
  }
}
