import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Internal notes and the delivery state of messages sent to an external channel. Both columns are added without
 * a table rewrite (a constant default and a nullable column). A delivery change must reach `/sync`, so the touch
 * trigger now also fires on `delivery`.
 */
export class MessageDelivery1796050000000 implements MigrationInterface {
  name = 'MessageDelivery1796050000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN internal boolean NOT NULL DEFAULT false, ADD COLUMN delivery jsonb`);
    await queryRunner.query(`DROP TRIGGER messages_sync_touch ON messages`);
    await queryRunner.query(`
      CREATE TRIGGER messages_sync_touch BEFORE UPDATE OF body, edited_at, deleted_at, delivery ON messages
      FOR EACH ROW EXECUTE FUNCTION sync_touch_row()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER messages_sync_touch ON messages`);
    await queryRunner.query(`
      CREATE TRIGGER messages_sync_touch BEFORE UPDATE OF body, edited_at, deleted_at ON messages
      FOR EACH ROW EXECUTE FUNCTION sync_touch_row()`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN delivery, DROP COLUMN internal`);
  }
}
