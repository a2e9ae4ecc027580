import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** `inbox` is reserved for bridged customer threads; the column stays a free string so new kinds need no enum migration. */
export type ChatType = 'direct' | 'group' | 'inbox';

@Entity('chats')
export class ChatEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  type: ChatType;

  @Column({ type: 'varchar', length: 128, nullable: true })
  title: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  /** `smallerUserId:largerUserId` for direct chats, so the pair exists once (unique index). */
  @Column({ name: 'direct_key', type: 'varchar', length: 73, nullable: true })
  directKey: string | null;

  @Column({ name: 'last_message_seq', type: 'integer', default: 0 })
  lastMessageSeq: number;

  @Column({ name: 'last_message_at', type: 'timestamptz', nullable: true })
  lastMessageAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
