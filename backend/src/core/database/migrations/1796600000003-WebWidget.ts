import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web channels: a site's chat widget is a channel of type `web` (its allowed origins, greeting and theme live in
 * `channels.settings`), a visitor may leave an e-mail address on their contact, and a visitor's image upload names
 * the contact that uploaded it (there is no user).
 */
export class WebWidget1796600000003 implements MigrationInterface {
  name = 'WebWidget1796600000003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_type_check`);
    await queryRunner.query(`ALTER TABLE channels ADD CONSTRAINT channels_type_check CHECK (type IN ('telegram', 'avito', 'web'))`);
    await queryRunner.query(`ALTER TABLE contacts ADD COLUMN email varchar(254)`);
    await queryRunner.query(`ALTER TABLE attachments ADD COLUMN uploader_contact_id uuid REFERENCES contacts (id) ON DELETE CASCADE`);
    await queryRunner.query(`CREATE INDEX attachments_uploader_contact_idx ON attachments (uploader_contact_id) INCLUDE (size) WHERE uploader_contact_id IS NOT NULL AND status <> 'rejected'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM attachments WHERE uploader_contact_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE attachments DROP COLUMN uploader_contact_id`);
    await queryRunner.query(`ALTER TABLE contacts DROP COLUMN email`);
    await queryRunner.query(`DELETE FROM channels WHERE type = 'web'`);
    await queryRunner.query(`ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_type_check`);
    await queryRunner.query(`ALTER TABLE channels ADD CONSTRAINT channels_type_check CHECK (type IN ('telegram', 'avito'))`);
  }
}
