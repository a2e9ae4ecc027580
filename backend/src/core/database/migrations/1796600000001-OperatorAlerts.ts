import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator alert cards: each operator's alert settings (which threads, muted), and cards as rows of the one outbox
 * (`deliveries`, kind `card`) addressed to an operator. The unique index makes one card per customer message per
 * operator, however often the inbound event is processed; the lookup index finds the card a Telegram reply quotes.
 */
export class OperatorAlerts1796600000001 implements MigrationInterface {
  name = 'OperatorAlerts1796600000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE operator_alert_settings (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        threads varchar(24) NOT NULL DEFAULT 'assigned+unassigned' CHECK (threads IN ('assigned', 'assigned+unassigned')),
        muted boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN recipient_user_id uuid REFERENCES users (id) ON DELETE CASCADE`);
    await queryRunner.query(`CREATE UNIQUE INDEX deliveries_card_once_idx ON deliveries (message_id, recipient_user_id) WHERE kind = 'card'`);
    await queryRunner.query(`CREATE INDEX deliveries_card_lookup_idx ON deliveries (channel_id, external_chat_id, external_id) WHERE kind = 'card'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX deliveries_card_lookup_idx`);
    await queryRunner.query(`DROP INDEX deliveries_card_once_idx`);
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN recipient_user_id`);
    await queryRunner.query(`DROP TABLE operator_alert_settings`);
  }
}
