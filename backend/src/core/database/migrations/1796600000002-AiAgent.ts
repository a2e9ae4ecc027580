import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The AI agent: per-channel settings (`channels.ai`, no credentials: the provider key comes from the environment),
 * the thread's owner (`ai` or `human`) and the agent's last draft, and the messenger-side marker of who wrote a
 * message that has no user sender (`sender_kind = 'ai'`, with the name shown). An AI reply is idempotent per customer
 * message through its client id, unique per chat among AI messages.
 */
export class AiAgent1796600000002 implements MigrationInterface {
  name = 'AiAgent1796600000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE channels ADD COLUMN ai jsonb`);
    await queryRunner.query(`
      ALTER TABLE inbox_threads
        ADD COLUMN owner varchar(8) NOT NULL DEFAULT 'human' CHECK (owner IN ('ai', 'human')),
        ADD COLUMN ai_draft text,
        ADD COLUMN ai_draft_at timestamptz`);
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN sender_kind varchar(16), ADD COLUMN sender_name varchar(128)`);
    await queryRunner.query(`CREATE UNIQUE INDEX messages_ai_client_key ON messages (chat_id, client_id) WHERE sender_kind = 'ai'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_ai_client_key`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN sender_name, DROP COLUMN sender_kind`);
    await queryRunner.query(`ALTER TABLE inbox_threads DROP COLUMN ai_draft_at, DROP COLUMN ai_draft, DROP COLUMN owner`);
    await queryRunner.query(`ALTER TABLE channels DROP COLUMN ai`);
  }
}
