import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Telegram account linked to a user (one account per Telegram id, enforced by the unique index), and the
 * single-use codes of `/start <code>` links (stored hashed; ten minutes).
 */
export class TelegramLinks1796500000001 implements MigrationInterface {
  name = 'TelegramLinks1796500000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN telegram_user_id bigint, ADD COLUMN telegram_username varchar(64), ADD COLUMN telegram_linked_at timestamptz`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_telegram_user_id_idx ON users (telegram_user_id) WHERE telegram_user_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE telegram_link_codes (
        code_hash char(64) PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE telegram_link_codes`);
    await queryRunner.query(`DROP INDEX users_telegram_user_id_idx`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN telegram_linked_at, DROP COLUMN telegram_username, DROP COLUMN telegram_user_id`);
  }
}
