import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web channels: a site's chat widget is a channel of type `web` (its allowed origins, greeting and theme live in
 * `channels.settings`), and a visitor may leave an e-mail address on their contact.
 */
export class WebWidget1796080342814 implements MigrationInterface {
  name = 'WebWidget1796080342814';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_type_check`);
    await queryRunner.query(`ALTER TABLE channels ADD CONSTRAINT channels_type_check CHECK (type IN ('telegram', 'avito', 'web'))`);
    await queryRunner.query(`ALTER TABLE contacts ADD COLUMN email varchar(254)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE contacts DROP COLUMN email`);
    await queryRunner.query(`DELETE FROM channels WHERE type = 'web'`);
    await queryRunner.query(`ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_type_check`);
    await queryRunner.query(`ALTER TABLE channels ADD CONSTRAINT channels_type_check CHECK (type IN ('telegram', 'avito'))`);
  }
}
