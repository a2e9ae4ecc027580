import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text and trigram search over messages, people and chat titles.
 *
 * - `messages.body_tsv` is computed by PostgreSQL from the current body with the `russian` configuration, which
 *   stems Cyrillic words with the Russian Snowball stemmer and ASCII words with the English one, so one vector
 *   serves both languages. Being a stored generated column it follows every edit and the delete (which empties the
 *   body) without application code, and ranking/recheck read it instead of re-parsing the text.
 * - Both GIN indexes lead with `chat_id` (btree_gin), so a search limited to the caller's chats intersects the
 *   chat's entries with the word's inside the index instead of fetching every message that has the word.
 */
export class MessageSearch1796200000000 implements MigrationInterface {
  name = 'MessageSearch1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, body)) STORED`);
    await queryRunner.query(`CREATE INDEX messages_search_idx ON messages USING gin (chat_id, body_tsv)`);
    await queryRunner.query(`CREATE INDEX messages_body_trgm_idx ON messages USING gin (chat_id, body gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX users_name_trgm_idx ON users USING gin ((lower(username || ' ' || display_name)) gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX chats_title_trgm_idx ON chats USING gin (lower(title) gin_trgm_ops) WHERE title IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX chats_title_trgm_idx`);
    await queryRunner.query(`DROP INDEX users_name_trgm_idx`);
    await queryRunner.query(`DROP INDEX messages_body_trgm_idx`);
    await queryRunner.query(`DROP INDEX messages_search_idx`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN body_tsv`);
  }
}
