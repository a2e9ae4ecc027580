import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { MessageDelivery } from '@/core/message-hooks';
import type { MessageAttachmentRow } from './attachment.entity';

@Entity('messages')
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId: string;

  /** Per-chat position: strictly increasing and gapless, assigned in the insert statement. */
  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'sender_id', type: 'uuid', nullable: true })
  senderId: string | null;

  /** An external contact (a bridged Avito or Telegram customer) when the sender is not a user. */
  @Column({ name: 'sender_contact_id', type: 'uuid', nullable: true })
  senderContactId: string | null;

  /** The provider's id of a bridged message (Telegram message_id, Avito message id): imported once per chat. */
  @Column({ name: 'external_id', type: 'varchar', length: 128, nullable: true, select: false })
  externalId?: string | null;

  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  @Column({ type: 'text' })
  body: string;

  @Column({ name: 'reply_to_id', type: 'uuid', nullable: true })
  replyToId: string | null;

  /** An internal note: shown to the chat's members, never sent to an external channel. */
  @Column({ type: 'boolean', default: false })
  internal: boolean;

  /** Who wrote a message that has no user sender: 'ai' for the AI agent of a bridged channel; null otherwise. */
  @Column({ name: 'sender_kind', type: 'varchar', length: 16, nullable: true })
  senderKind?: 'ai' | null;

  /** The name shown for a `senderKind` sender (the channel's agent name). */
  @Column({ name: 'sender_name', type: 'varchar', length: 128, nullable: true })
  senderName?: string | null;

  /** Set only for messages that go out to an external channel (bridged threads). */
  @Column({ type: 'jsonb', nullable: true })
  delivery: MessageDelivery | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

/** A message as read by SQL, attachments included; inside a JSON column its timestamps are ISO strings, not Dates. */
export type MessageRow = Omit<MessageEntity, 'createdAt' | 'editedAt' | 'deletedAt'> & {
  createdAt: Date | string;
  editedAt: Date | string | null;
  deletedAt: Date | string | null;
  attachments?: MessageAttachmentRow[];
};
