import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { USER_ROLES, type UserRole } from '@/core/auth';

export { USER_ROLES, type UserRole };

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 32 })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 64 })
  displayName: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: UserRole;

  /** Whether unread messages are summarised by e-mail while the user is away. */
  @Column({ name: 'email_digest', type: 'boolean', default: true })
  emailDigest: boolean;

  @Column({ name: 'last_digest_at', type: 'timestamptz', nullable: true, select: false })
  lastDigestAt?: Date | null;

  /** The Telegram account linked to this user (operators get alerts there and sign in to the Mini App with it). */
  @Column({ name: 'telegram_user_id', type: 'bigint', nullable: true })
  telegramUserId?: string | null;

  @Column({ name: 'telegram_username', type: 'varchar', length: 64, nullable: true })
  telegramUsername?: string | null;

  @Column({ name: 'telegram_linked_at', type: 'timestamptz', nullable: true })
  telegramLinkedAt?: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
