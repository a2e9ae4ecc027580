import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Channels (Telegram bots, Avito accounts), their operators, customers, inbox threads and the stored webhook events. */
export class Bridge1796000000000 implements MigrationInterface {
  name = 'Bridge1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(16) NOT NULL CHECK (type IN ('telegram', 'avito')),
        name varchar(128) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'deleted')),
        status_reason varchar(255),
        external_account_id varchar(64),
        credentials_sealed text NOT NULL,
        webhook_secret_sealed text NOT NULL,
        webhook_secret_hash char(64) NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE channel_operators (
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_id, user_id)
      )`);
    await queryRunner.query(`CREATE INDEX channel_operators_user_idx ON channel_operators (user_id)`);
    await queryRunner.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        external_id varchar(128) NOT NULL,
        name varchar(255) NOT NULL,
        avatar_url text,
        profile_url text,
        blocked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel_id, external_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE inbox_threads (
        chat_id uuid PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        external_chat_id varchar(128) NOT NULL,
        contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'open',
        assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
        context jsonb,
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel_id, external_chat_id)
      )`);
    // The inbox list: newest activity first, filtered by channel and status.
    await queryRunner.query(`CREATE INDEX inbox_threads_activity_idx ON inbox_threads (last_activity_at DESC, chat_id DESC)`);
    await queryRunner.query(`CREATE INDEX inbox_threads_channel_idx ON inbox_threads (channel_id, status)`);
    await queryRunner.query(`
      CREATE TABLE inbound_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        external_id varchar(128) NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        source varchar(16) NOT NULL DEFAULT 'webhook',
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        result varchar(16) NOT NULL DEFAULT 'pending' CHECK (result IN ('pending', 'processed', 'ignored', 'failed')),
        error text,
        UNIQUE (channel_id, external_id)
      )`);
    await queryRunner.query(`CREATE INDEX inbound_events_pending_idx ON inbound_events (received_at) WHERE result = 'pending'`);

    // A message imported from a provider is stored once per (chat, provider message id), however often it is delivered.
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN external_id varchar(128)`);
    await queryRunner.query(`CREATE UNIQUE INDEX messages_external_key ON messages (chat_id, external_id) WHERE external_id IS NOT NULL`);
    // A customer's file has no uploading user.
    await queryRunner.query(`ALTER TABLE attachments ALTER COLUMN uploader_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE messages ADD CONSTRAINT messages_sender_contact_fk FOREIGN KEY (sender_contact_id) REFERENCES contacts (id) ON DELETE SET NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messages DROP CONSTRAINT messages_sender_contact_fk`);
    await queryRunner.query(`DELETE FROM attachments WHERE uploader_id IS NULL`);
    await queryRunner.query(`ALTER TABLE attachments ALTER COLUMN uploader_id SET NOT NULL`);
    await queryRunner.query(`DROP INDEX messages_external_key`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN external_id`);
    await queryRunner.query(`DROP TABLE inbound_events`);
    await queryRunner.query(`DROP TABLE inbox_threads`);
    await queryRunner.query(`DROP TABLE contacts`);
    await queryRunner.query(`DROP TABLE channel_operators`);
    await queryRunner.query(`DROP TABLE channels`);
  }
}
