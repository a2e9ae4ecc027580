import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages written now and sent later. They live apart from `messages` until they are sent, so history, sync,
 * search and unread counts never see them, and the seq is taken only when the message really goes out.
 */
export class ScheduledMessages1796200001000 implements MigrationInterface {
  name = 'ScheduledMessages1796200001000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scheduled_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        sender_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        client_id varchar(64) NOT NULL,
        body text NOT NULL,
        reply_to_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        send_at timestamptz NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        version integer NOT NULL DEFAULT 1,
        message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        failure varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT scheduled_messages_sender_client_key UNIQUE (sender_id, client_id)
      )`);
    // The author's list per chat.
    await queryRunner.query(`CREATE INDEX scheduled_messages_chat_idx ON scheduled_messages (chat_id, sender_id, send_at) WHERE status = 'pending'`);
    // The sweeper that re-creates lost delayed jobs walks only the unsent rows.
    await queryRunner.query(`CREATE INDEX scheduled_messages_due_idx ON scheduled_messages (send_at) WHERE status IN ('pending', 'sending')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE scheduled_messages`);
  }
}
