import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of everything sent to a provider: one row per send (or edit, or delete) written in the same
 * transaction as the message, then a job keyed by the row. `kind` and `policy` leave room for alert cards and
 * notifications on the same sender; `generation` changes on every redelivery so an old job never acts on a new round.
 */
export class Deliveries1796050000001 implements MigrationInterface {
  name = 'Deliveries1796050000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'card', 'notification')),
        action varchar(8) NOT NULL DEFAULT 'send' CHECK (action IN ('send', 'edit', 'delete')),
        policy varchar(16) NOT NULL DEFAULT 'at-most-once' CHECK (policy IN ('at-most-once', 'at-least-once')),
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        external_chat_id varchar(128) NOT NULL,
        message_id uuid REFERENCES messages (id) ON DELETE CASCADE,
        contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
        payload jsonb NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
        generation integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        parts_sent integer NOT NULL DEFAULT 0,
        external_id varchar(128),
        error_code varchar(64),
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    // The sweeper walks only the rows still moving.
    await queryRunner.query(`CREATE INDEX deliveries_open_idx ON deliveries (updated_at) WHERE state IN ('queued', 'sending')`);
    await queryRunner.query(`CREATE INDEX deliveries_message_idx ON deliveries (message_id) WHERE message_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE deliveries`);
  }
}
