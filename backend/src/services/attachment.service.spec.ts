import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@/core/config';
import { ErrorCode } from '@/core/errors';
import { JobName, PermanentJobError } from '@/core/jobs';
import type { AttachmentEntity } from '@/models/attachment.entity';
import { AttachmentRepository } from '@/repositories/attachment.repository';
import { ChatRepository } from '@/repositories/chat.repository';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MediaRepository } from '@/repositories/media.repository';
import { StorageRepository } from '@/repositories/storage.repository';
import { newTestService, stand } from '@test/unit/service';
import { AttachmentService, cleanFileName, contentDisposition, typeMismatch } from './attachment.service';

const ids = {
  me: '00000000-0000-4000-8000-000000000001',
  chat: 'cccccccc-0000-4000-8000-000000000001',
  att: 'aaaaaaaa-0000-4000-8000-000000000001',
};
const config = {
  uploads: { maxBytes: 1000, quotaBytes: 5000, uploadUrlTtlSeconds: 900, downloadUrlTtlSeconds: 300, pendingTtlSeconds: 86_400, mediaTokenTtlSeconds: 60 },
} as AppConfig;

const row = (over: Partial<AttachmentEntity> = {}): AttachmentEntity => ({
  id: ids.att,
  chatId: ids.chat,
  uploaderId: ids.me,
  uploaderContactId: null,
  messageId: null,
  position: 0,
  status: 'pending',
  rejectReason: null,
  fileName: 'a.png',
  contentType: 'image/png',
  size: 500,
  objectKey: `attachments/${ids.chat}/${ids.att}`,
  thumbnailKey: null,
  width: null,
  height: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});

function setup(stored: { size: number; type: string | null } | null = { size: 500, type: 'image/png' }) {
  const attachments = {
    create: vi.fn(async (input: Partial<AttachmentEntity>) => ({ status: 'created', attachment: row(input) })),
    findVisible: vi.fn(async () => ({ ...row(), messageDeleted: false })),
    findById: vi.fn(async () => row({ status: 'ready' })),
    settle: vi.fn(async (_id: string, verdict: { status: 'ready' | 'rejected'; rejectReason?: string }) => row({ status: verdict.status, rejectReason: verdict.rejectReason ?? null })),
    setThumbnail: vi.fn(async (_id: string, t: { key: string; width: number; height: number }) => row({ status: 'ready', thumbnailKey: t.key, width: t.width, height: t.height })),
  };
  const chats = { findForMember: vi.fn(async () => ({ id: ids.chat })), memberIds: vi.fn(async () => [ids.me]) };
  const storage = {
    presignPost: vi.fn(async () => ({ url: 'http://s3/bucket', fields: { key: 'k' } })),
    head: vi.fn(async () => (stored ? { size: stored.size } : null)),
    readStart: vi.fn(async () => Buffer.from('head')),
    read: vi.fn(async () => Buffer.from('image')),
    write: vi.fn(async () => undefined),
    delete: vi.fn(async () => undefined),
    copy: vi.fn(async () => undefined),
  };
  const media = { detectType: vi.fn(async () => stored?.type ?? null), thumbnail: vi.fn(async () => ({ data: Buffer.from('webp'), width: 800, height: 600 })) };
  const jobs = { add: vi.fn(async () => undefined) };
  const crypto = { uuid: () => ids.att };
  const events = { emit: vi.fn() };
  const service = newTestService(
    AttachmentService,
    [
      stand(AttachmentRepository, attachments),
      stand(ChatRepository, chats),
      stand(StorageRepository, storage),
      stand(MediaRepository, media),
      stand(JobRepository, jobs),
      stand(CryptoRepository, crypto),
      stand(EventRepository, events),
    ],
    config,
  );
  return { service, attachments, chats, storage, media, jobs, events };
}

describe('typeMismatch', () => {
  it('accepts what the bytes prove, text formats that have no magic bytes, and containers of the declared format', () => {
    expect(typeMismatch('image/png', 'image/png')).toBeNull();
    expect(typeMismatch('image/jpeg', 'image/jpeg')).toBeNull();
    expect(typeMismatch('text/csv', null)).toBeNull();
    expect(typeMismatch('image/svg+xml', null)).toBeNull();
    expect(typeMismatch('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/zip')).toBeNull();
    expect(typeMismatch('application/octet-stream', 'application/x-msdownload')).toBeNull();
  });
  it('names the real type when the declared one is a lie', () => {
    expect(typeMismatch('image/png', 'image/jpeg')).toBe('the file content is image/jpeg, not the declared image/png');
    expect(typeMismatch('image/png', null)).toBe('the file content is not image/png');
    expect(typeMismatch('text/plain', 'application/x-elf')).toBe('the file content is application/x-elf, not the declared text/plain');
  });
});

describe('file names', () => {
  it('keeps only a displayable base name', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(cleanFileName('   ')).toBe('file');
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('\u200B\u2066\uFEFF')).toBe('file');
  });
  it('writes an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('attachment', 'отчёт "1".pdf')).toBe(
      `attachment; filename="_____ _1_.pdf"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%221%22.pdf`,
    );
  });
});

describe('AttachmentService', () => {
  it('reserves an upload under an id-only key and presigns the declared type and exact size', async () => {
    const { service, attachments, storage } = setup();
    const result = await service.createUpload(ids.me, { chatId: ids.chat, fileName: 'dir/My Photo.PNG', contentType: 'image/jpg', size: 700 });
    expect(attachments.create).toHaveBeenCalledWith(
      expect.objectContaining({ fileName: 'My Photo.PNG', contentType: 'image/jpeg', objectKey: `attachments/${ids.chat}/${ids.att}` }),
      5000,
    );
    expect(storage.presignPost).toHaveBeenCalledWith({ key: `attachments/${ids.chat}/${ids.att}`, contentType: 'image/jpeg', size: 700, expiresSeconds: 900 });
    expect(result.upload).toMatchObject({ method: 'POST', url: 'http://s3/bucket', fields: { key: 'k' } });
  });

  it('refuses non-members, oversize files and a full quota before presigning anything', async () => {
    const s = setup();
    s.chats.findForMember.mockResolvedValueOnce(null as never);
    await expect(s.service.createUpload(ids.me, { chatId: ids.chat, fileName: 'a', contentType: 'image/png', size: 1 })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(s.service.createUpload(ids.me, { chatId: ids.chat, fileName: 'a', contentType: 'image/png', size: 1001 })).rejects.toMatchObject({
      code: ErrorCode.PayloadTooLarge,
      details: { fields: ['size'] },
    });
    s.attachments.create.mockResolvedValueOnce({ status: 'quota_exceeded', usedBytes: 4900 } as never);
    await expect(s.service.createUpload(ids.me, { chatId: ids.chat, fileName: 'a', contentType: 'image/png', size: 200 })).rejects.toThrow(/quota exceeded/);
    expect(s.storage.presignPost).not.toHaveBeenCalled();
  });

  it('completes a matching image as ready and queues its thumbnail once (by job id)', async () => {
    const { service, jobs } = setup();
    expect(await service.complete(ids.me, ids.att)).toMatchObject({ status: 'ready' });
    expect(jobs.add).toHaveBeenCalledWith(JobName.AttachmentThumbnail, { attachmentId: ids.att }, { jobId: `thumbnail-${ids.att}` });
  });

  it('rejects and deletes an object over the limit, of another size, or of another type', async () => {
    for (const [stored, reason] of [
      [{ size: 5000, type: 'image/png' }, /over the 1000 bytes limit/],
      [{ size: 499, type: 'image/png' }, /499 bytes, but 500 were declared/],
      [{ size: 500, type: 'application/pdf' }, /application\/pdf, not the declared image\/png/],
    ] as const) {
      const { service, storage, jobs } = setup(stored);
      const result = await service.complete(ids.me, ids.att);
      expect(result.status).toBe('rejected');
      expect(result.reason).toMatch(reason);
      expect(storage.delete).toHaveBeenCalledWith(`attachments/${ids.chat}/${ids.att}`);
      // The checked copy goes too.
      expect(storage.delete).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^attachments/${ids.chat}/${ids.att}\\.`)));
      expect(jobs.add).not.toHaveBeenCalled();
    }
  });

  it('answers 409 while nothing was uploaded and 404 for someone else’s upload', async () => {
    const s = setup(null);
    await expect(s.service.complete(ids.me, ids.att)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(s.service.complete('00000000-0000-4000-8000-000000000009', ids.att)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('makes the thumbnail once and tells the uploader (unsent) or the members (sent)', async () => {
    const s = setup();
    await s.service.generateThumbnail(ids.att);
    expect(s.storage.write).toHaveBeenCalledWith(`thumbnails/${ids.chat}/${ids.att}.webp`, expect.any(Buffer), 'image/webp');
    expect(s.events.emit).toHaveBeenCalledWith('attachment.updated', expect.objectContaining({ memberIds: [ids.me], messageId: null }));

    s.attachments.findById.mockResolvedValueOnce(row({ status: 'ready', thumbnailKey: 'done' }));
    await s.service.generateThumbnail(ids.att);
    expect(s.storage.write).toHaveBeenCalledTimes(1);
  });

  it('fails a thumbnail for good when the bytes cannot be decoded', async () => {
    const s = setup();
    s.media.thumbnail.mockRejectedValueOnce(new Error('unsupported image format'));
    await expect(s.service.generateThumbnail(ids.att)).rejects.toBeInstanceOf(PermanentJobError);
  });
});
