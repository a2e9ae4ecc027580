import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifications API: API keys (only a SHA-256 of the key is stored; keys are 256-bit random, so a plain hash is
 * enough), and notifications as rows of the one outbox (`deliveries`, kind `notification`) carrying the key that
 * sent them, its idempotency key and a hash of the request body. `resends` bounds at-least-once to one resend.
 */
export class Notifications1796500000000 implements MigrationInterface {
  name = 'Notifications1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix varchar(16) NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN api_key_id uuid REFERENCES api_keys (id) ON DELETE CASCADE`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN idempotency_key varchar(128)`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN request_hash char(64)`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN resends integer NOT NULL DEFAULT 0`);
    // Idempotency keys are unique per API key for as long as the row lives (notifications are never purged before 30 days).
    await queryRunner.query(`CREATE UNIQUE INDEX deliveries_idempotency_idx ON deliveries (api_key_id, idempotency_key) WHERE api_key_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX deliveries_api_key_list_idx ON deliveries (api_key_id, created_at DESC, id DESC) WHERE api_key_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX deliveries_api_key_list_idx`);
    await queryRunner.query(`DROP INDEX deliveries_idempotency_idx`);
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN resends, DROP COLUMN request_hash, DROP COLUMN idempotency_key, DROP COLUMN api_key_id`);
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
