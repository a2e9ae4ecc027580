import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { DomainException, ErrorCode, conflict, notFound } from '@/core/errors';
import { JobName, PermanentJobError } from '@/core/jobs';
import { isUnavailableError } from '@/core/unavailable';
import type { AttachmentEntity } from '@/models/attachment.entity';
import { AttachmentRepository } from '@/repositories/attachment.repository';
import { ChatRepository } from '@/repositories/chat.repository';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MediaRepository } from '@/repositories/media.repository';
import { StorageRepository } from '@/repositories/storage.repository';
import {
  type AttachmentResponseDto,
  type CreateUploadDto,
  INLINE_IMAGE_TYPES,
  isInlineImage,
  toAttachmentResponse,
  type UploadResponseDto,
} from '@/schemas/attachment.dto';
import { secondsToMs } from '@/core/time';

export const THUMBNAIL_MAX_PX = 320;
/** Enough for file-type to see inside ZIP-based office formats, not only at their magic number. */
const SNIFF_BYTES = 64 * 1024;
const CLEANUP_BATCH = 500;

const MB = 1024 * 1024;
const humanBytes = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${n} bytes`);

/** Names clients and libraries use for the same format. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'application/x-zip-compressed': 'application/zip',
};
export const normaliseType = (type: string) => ALIASES[type.toLowerCase()] ?? type.toLowerCase();

/** Formats without magic bytes: file-type cannot recognise them, so "unrecognised" is the expected result. */
const TEXT_LIKE = /^(text\/[\w.+-]+|application\/(json|ld\+json|xml|x-ndjson|csv|yaml|x-yaml|toml|sql|javascript|x-subrip)|image\/svg\+xml)$/;
/** Containers file-type reports by their outer format; the declared inner format is then accepted. */
const CONTAINERS: Record<string, RegExp> = {
  'application/zip': /^application\/(zip|epub\+zip|java-archive|vnd\.openxmlformats-officedocument\.[\w.-]+|vnd\.oasis\.opendocument\.[\w.-]+|vnd\.android\.package-archive)$/,
  'application/x-cfb': /^application\/(msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.ms-outlook|x-msi)$/,
};

/** Why the stored bytes do not match the declared type, or null when they do. */
export function typeMismatch(declared: string, detected: string | null): string | null {
  if (declared === 'application/octet-stream') return null;
  if (detected === null) return TEXT_LIKE.test(declared) ? null : `the file content is not ${declared}`;
  const real = normaliseType(detected);
  if (real === declared || CONTAINERS[real]?.test(declared)) return null;
  return `the file content is ${real}, not the declared ${declared}`;
}

/**
 * Strips any path, control and invisible format characters (\p{Cf}: bidi overrides that disguise an extension,
 * zero-width characters); the result is for display and downloads only, never a storage key.
 */
export const cleanFileName = (name: string) =>
  (name.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '').split(/[\\/]/).pop() ?? '').trim().slice(0, 255) || 'file';

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

const toResponse = (a: AttachmentEntity): AttachmentResponseDto => toAttachmentResponse({ ...a, hasThumbnail: !!a.thumbnailKey });

/** A thumbnail job is presumed lost once its attachment has waited this long; re-adding an existing job id is a no-op. */
const REBUILD_AFTER_MS = 10_000;
const REBUILD_BATCH = 500;

@Injectable()
export class AttachmentService {
  private readonly logger = new Logger('Attachments');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attachments: AttachmentRepository,
    private readonly chats: ChatRepository,
    private readonly storage: StorageRepository,
    private readonly media: MediaRepository,
    private readonly jobs: JobRepository,
    private readonly crypto: CryptoRepository,
    private readonly events: EventRepository,
  ) {}

  /** Reserves the attachment and returns where the browser sends the bytes; the API never carries them. */
  async createUpload(userId: string, dto: CreateUploadDto): Promise<UploadResponseDto> {
    if (!(await this.chats.findForMember(dto.chatId, userId))) throw notFound('Chat');
    return this.reserve({ uploaderId: userId }, dto, this.config.uploads.maxBytes);
  }

  /**
   * A website visitor's upload to their own thread (the caller, the bridge's widget, checked that): the same
   * presigned path, owned by the contact, with the module's own size limit.
   */
  async createUploadForContact(contactId: string, dto: CreateUploadDto, maxBytes: number): Promise<UploadResponseDto> {
    return this.reserve({ uploaderId: null, uploaderContactId: contactId }, dto, Math.min(maxBytes, this.config.uploads.maxBytes));
  }

  /** Completes a website visitor's own upload (see complete). */
  async completeForContact(contactId: string, id: string): Promise<AttachmentResponseDto> {
    const attachment = await this.attachments.findById(id);
    if (!attachment || attachment.uploaderContactId !== contactId) throw notFound('Upload');
    return this.settleUpload(attachment);
  }

  /** Whether every id is the contact's ready, unsent upload to the chat. */
  async sendableByContact(ids: string[], chatId: string, contactId: string): Promise<boolean> {
    return ids.length === 0 || (await this.attachments.countSendableByContact([...new Set(ids)], chatId, contactId)) === new Set(ids).size;
  }

  /** Puts a visitor's uploads on their stored message; returns how many moved (none on a repeat). */
  async attachForContact(messageId: string, chatId: string, contactId: string, ids: string[]): Promise<number> {
    return ids.length ? this.attachments.claimForContactMessage(messageId, chatId, contactId, ids) : 0;
  }

  /** A short-lived URL of a file in a website visitor's thread: their own upload, or one of a message that is not a note. */
  async downloadUrlForContact(chatId: string, contactId: string, id: string): Promise<string> {
    const attachment = await this.attachments.findForContact(id, chatId, contactId);
    if (!attachment) throw notFound('Attachment');
    if (attachment.status !== 'ready') throw conflict(`the attachment is ${attachment.status}, not ready`);
    const kind = isInlineImage(attachment.contentType) ? 'inline' : 'attachment';
    return this.storage.presignGet({
      key: attachment.objectKey,
      expiresSeconds: this.config.uploads.downloadUrlTtlSeconds,
      contentType: attachment.contentType,
      disposition: contentDisposition(kind, attachment.fileName),
    });
  }

  private async reserve(owner: { uploaderId: string | null; uploaderContactId?: string }, dto: CreateUploadDto, maxBytes: number): Promise<UploadResponseDto> {
    const { quotaBytes, uploadUrlTtlSeconds } = this.config.uploads;
    if (dto.size > maxBytes) {
      throw new DomainException(ErrorCode.PayloadTooLarge, `size must be at most ${maxBytes} bytes (${humanBytes(maxBytes)})`, { fields: ['size'] });
    }
    const contentType = normaliseType(dto.contentType);
    const id = this.crypto.uuid();
    const result = await this.attachments.create(
      {
        id,
        chatId: dto.chatId,
        ...owner,
        fileName: cleanFileName(dto.fileName),
        contentType,
        size: dto.size,
        // Ids only: a client's file name never reaches a key, a log line of the storage, or a URL path.
        objectKey: `attachments/${dto.chatId}/${id}`,
      },
      quotaBytes,
    );
    if (result.status === 'quota_exceeded') {
      throw new DomainException(
        ErrorCode.PayloadTooLarge,
        `upload quota exceeded: ${humanBytes(result.usedBytes)} of ${humanBytes(quotaBytes)} used, this file needs ${humanBytes(dto.size)}`,
        { fields: ['size'] },
      );
    }
    const { attachment } = result;
    const post = await this.storage.presignPost({ key: attachment.objectKey, contentType, size: dto.size, expiresSeconds: uploadUrlTtlSeconds });
    return {
      id,
      status: attachment.status,
      upload: { method: 'POST', url: post.url, fields: post.fields, expiresAt: new Date(Date.now() + secondsToMs(uploadUrlTtlSeconds)).toISOString() },
      attachment: toResponse(attachment),
    };
  }

  /**
   * Checks what really arrived in storage: exact size within the limit, and the type read from the bytes.
   * A bad upload is rejected with its reason and its object deleted; repeating the call returns the verdict.
   */
  async complete(userId: string, id: string): Promise<AttachmentResponseDto> {
    const attachment = await this.attachments.findVisible(id, userId);
    if (!attachment || attachment.uploaderId !== userId) throw notFound('Upload');
    return this.settleUpload(attachment);
  }

  private async settleUpload(attachment: AttachmentEntity): Promise<AttachmentResponseDto> {
    const id = attachment.id;
    if (attachment.status !== 'pending') return toResponse(attachment);

    const uploaded = await this.storage.head(attachment.objectKey);
    if (!uploaded) throw conflict('the file has not been uploaded yet: send it to the upload URL first');
    // The presigned form stays usable until it expires, so what is checked and later served is a copy under a key
    // no form was ever signed for: posting to the form again cannot swap the file after the check.
    const finalKey = `${attachment.objectKey}.${this.crypto.uuid()}`;
    await this.storage.copy(attachment.objectKey, finalKey);
    await this.storage.delete(attachment.objectKey);
    const stored = await this.storage.head(finalKey);
    const reason = stored ? await this.verify({ ...attachment, objectKey: finalKey }, stored.size) : 'the file disappeared while it was checked';
    const settled = await this.attachments.settle(id, reason ? { status: 'rejected', rejectReason: reason } : { status: 'ready', objectKey: finalKey });
    if (!settled || reason) await this.storage.delete(finalKey);
    if (!settled) return toResponse((await this.attachments.findById(id))!);
    if (reason) return toResponse(settled);
    if (isInlineImage(settled.contentType)) {
      await this.jobs.add(JobName.AttachmentThumbnail, { attachmentId: id }, { jobId: `thumbnail-${id}` }).catch((error: unknown) => {
        // The upload itself is done; the job sweeper queues the thumbnail from this row once Redis is back.
        if (!isUnavailableError(error)) throw error;
        this.logger.warn({ attachmentId: id }, 'thumbnail not queued while Redis is unavailable');
      });
    }
    return toResponse(settled);
  }

  /**
   * Stores a file a bridged customer sent (fetched from the provider by a job) and attaches it to its message.
   * Idempotent per (message, position): a retried job finds the object key taken and adds nothing.
   */
  async importFile(input: { chatId: string; messageId: string; position: number; fileName: string; contentType: string; data: Buffer }): Promise<AttachmentResponseDto | null> {
    const contentType = normaliseType((await this.media.detectType(input.data.subarray(0, SNIFF_BYTES))) ?? (input.contentType || 'application/octet-stream'));
    const objectKey = `attachments/${input.chatId}/${input.messageId}-${input.position}`;
    await this.storage.write(objectKey, input.data, contentType);
    const attachment = await this.attachments.insertImported({
      id: this.crypto.uuid(),
      chatId: input.chatId,
      messageId: input.messageId,
      position: input.position,
      fileName: cleanFileName(input.fileName),
      contentType,
      size: input.data.length,
      objectKey,
    });
    if (!attachment) return null;
    if (isInlineImage(contentType)) await this.jobs.add(JobName.AttachmentThumbnail, { attachmentId: attachment.id }, { jobId: `thumbnail-${attachment.id}` });
    return toResponse(attachment);
  }

  /** A short-lived storage URL for a member of the attachment's chat (a sent file, or your own upload). */
  async downloadUrl(userId: string, id: string, variant: 'original' | 'thumbnail'): Promise<string> {
    const attachment = await this.attachments.findVisible(id, userId);
    if (!attachment || attachment.messageDeleted) throw notFound('Attachment');
    if (attachment.status !== 'ready') throw conflict(`the attachment is ${attachment.status}, not ready`);
    const expiresSeconds = this.config.uploads.downloadUrlTtlSeconds;
    if (variant === 'thumbnail') {
      if (!attachment.thumbnailKey) throw notFound('Thumbnail');
      const name = `${attachment.fileName.replace(/\.[^.]*$/, '')}.webp`;
      return this.storage.presignGet({ key: attachment.thumbnailKey, expiresSeconds, contentType: 'image/webp', disposition: contentDisposition('inline', name) });
    }
    // Only raster images render in the page; anything else (HTML, SVG, PDF ...) is handed to the browser as a download.
    const kind = isInlineImage(attachment.contentType) ? 'inline' : 'attachment';
    return this.storage.presignGet({
      key: attachment.objectKey,
      expiresSeconds,
      contentType: attachment.contentType,
      disposition: contentDisposition(kind, attachment.fileName),
    });
  }

  /** The thumbnail job: idempotent, so a retried or duplicated job does the work and notifies once. */
  /**
   * The bytes of a sent file, for a module that forwards it (the bridge sends it on to a provider). No caller
   * check: the module only names files of messages it is delivering.
   */
  async readForModule(attachmentId: string): Promise<{ fileName: string; contentType: string; data: Buffer } | null> {
    const attachment = await this.attachments.findById(attachmentId);
    if (!attachment || attachment.status !== 'ready') return null;
    return { fileName: attachment.fileName, contentType: attachment.contentType, data: await this.storage.read(attachment.objectKey) };
  }

  async generateThumbnail(attachmentId: string): Promise<void> {
    const attachment = await this.attachments.findById(attachmentId);
    if (!attachment || attachment.status !== 'ready' || attachment.thumbnailKey) return;
    const original = await this.storage.read(attachment.objectKey);
    let thumbnail;
    try {
      thumbnail = await this.media.thumbnail(original, THUMBNAIL_MAX_PX);
    } catch (error) {
      throw new PermanentJobError(`cannot decode ${attachment.contentType}: ${(error as Error).message}`);
    }
    const key = `thumbnails/${attachment.chatId}/${attachment.id}.webp`;
    await this.storage.write(key, thumbnail.data, 'image/webp');
    const updated = await this.attachments.setThumbnail(attachment.id, { key, width: thumbnail.width, height: thumbnail.height });
    if (!updated) {
      // Cleaned up meanwhile: do not leave the thumbnail behind.
      await this.storage.delete(key);
      return;
    }
    const memberIds = updated.messageId ? await this.chats.memberIds(updated.chatId) : updated.uploaderId ? [updated.uploaderId] : [];
    this.events.emit('attachment.updated', { chatId: updated.chatId, messageId: updated.messageId, attachment: toResponse(updated), memberIds });
  }

  /**
   * Thumbnail jobs owed according to the database, for the job sweeper after Redis lost its state. Only rows settled
   * a while ago: a fresh one has its job on the way. The job id is the one `complete` uses, so a job still queued
   * (or finished, or failed for good) is not added twice.
   */
  async thumbnailJobsToRebuild(): Promise<Array<{ jobId: string; data: { attachmentId: string } }>> {
    const settledBefore = new Date(Date.now() - REBUILD_AFTER_MS);
    const rows = await this.attachments.listAwaitingThumbnail(INLINE_IMAGE_TYPES, settledBefore, REBUILD_BATCH);
    return rows.map(({ id }) => ({ jobId: `thumbnail-${id}`, data: { attachmentId: id } }));
  }

  /** After the last attempt failed the image stays without a preview; the file itself remains downloadable. */
  async thumbnailFailed(attachmentId: string, error: Error): Promise<void> {
    this.logger.warn({ attachmentId, err: error }, 'no thumbnail for attachment');
  }

  /**
   * The repeatable cleanup: uploads never sent within the pending TTL (pending, rejected or abandoned) and the
   * files of deleted messages go from storage and database. Rows go first, so a racing send keeps its file.
   */
  async cleanup(now = new Date()): Promise<{ removed: number }> {
    const before = new Date(now.getTime() - secondsToMs(this.config.uploads.pendingTtlSeconds));
    let removed = 0;
    for (const list of [() => this.attachments.listUnsentBefore(before, CLEANUP_BATCH), () => this.attachments.listOfDeletedMessages(CLEANUP_BATCH)]) {
      for (;;) {
        const batch = await list();
        const gone = await this.attachments.deleteRemovable(batch.map((a) => a.id));
        for (const row of gone) {
          await this.storage.delete(row.objectKey);
          if (row.thumbnailKey) await this.storage.delete(row.thumbnailKey);
        }
        removed += gone.length;
        if (batch.length < CLEANUP_BATCH || gone.length === 0) break;
      }
    }
    if (removed > 0) this.logger.log(`cleanup removed ${removed} attachment(s)`);
    return { removed };
  }

  private async verify(attachment: AttachmentEntity, storedSize: number): Promise<string | null> {
    const { maxBytes } = this.config.uploads;
    if (storedSize > maxBytes) return `the file is ${humanBytes(storedSize)}, over the ${humanBytes(maxBytes)} limit`;
    if (storedSize !== attachment.size) return `the uploaded file has ${storedSize} bytes, but ${attachment.size} were declared`;
    const head = await this.storage.readStart(attachment.objectKey, Math.min(SNIFF_BYTES, storedSize));
    return typeMismatch(attachment.contentType, await this.media.detectType(head));
  }
}
