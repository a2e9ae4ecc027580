import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ATTACHMENT_STATUSES = ['pending', 'ready', 'rejected'] as const;
export type AttachmentStatus = (typeof ATTACHMENT_STATUSES)[number];

/** A file uploaded straight to object storage; the row exists from the moment the upload is requested. */
@Entity('attachments')
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId: string;

  /** Null for a file a bridged customer sent (fetched from the provider, not uploaded by a user). */
  @Column({ name: 'uploader_id', type: 'uuid', nullable: true })
  uploaderId: string | null;

  /** A website visitor's upload: the contact, since there is no user (see the widget in ARCHITECTURE.md). */
  @Column({ name: 'uploader_contact_id', type: 'uuid', nullable: true })
  uploaderContactId: string | null;

  /** Set when the attachment is sent with a message; until then only the uploader sees it. */
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  /** Order within its message. */
  @Column({ type: 'smallint', default: 0 })
  position: number;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: AttachmentStatus;

  @Column({ name: 'reject_reason', type: 'varchar', length: 255, nullable: true })
  rejectReason: string | null;

  /** The name the client gave; shown and used in Content-Disposition, never part of a storage key. */
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType: string;

  /** Declared at upload request, verified against the stored object at completion. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  size: number;

  @Column({ name: 'object_key', type: 'varchar', length: 255 })
  objectKey: string;

  @Column({ name: 'thumbnail_key', type: 'varchar', length: 255, nullable: true })
  thumbnailKey: string | null;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The attachment fields every message read carries (built in SQL, see attachment.repository). */
export interface MessageAttachmentRow {
  id: string;
  status: AttachmentStatus;
  fileName: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  hasThumbnail: boolean;
  rejectReason?: string | null;
}
