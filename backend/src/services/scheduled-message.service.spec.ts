import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, notFound, rateLimited } from '@/core/errors';
import { JobName } from '@/core/jobs';
import type { ScheduledMessageRow } from '@/models/scheduled-message.entity';
import { ScheduledMessageService } from './scheduled-message.service';

const row = (over: Partial<ScheduledMessageRow> = {}): ScheduledMessageRow => ({
  id: 's1',
  chatId: 'c1',
  senderId: 'u1',
  clientId: 'k1',
  body: 'later',
  replyToId: null,
  sendAt: new Date(Date.now() + 60_000),
  status: 'pending',
  version: 1,
  messageId: null,
  failure: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});

function setup() {
  const scheduled = {
    claim: vi.fn(),
    findById: vi.fn(),
    markSent: vi.fn(),
    markFailed: vi.fn(),
    findByClientId: vi.fn(async () => null),
    insert: vi.fn(async () => row()),
    findOwn: vi.fn(async () => row()),
    update: vi.fn(async () => row({ version: 2, body: 'new' })),
    deletePending: vi.fn(async () => true),
    listUnsent: vi.fn(async () => [] as ScheduledMessageRow[]),
  };
  const chats = { findForMember: vi.fn(async () => ({ id: 'c1' })) };
  const messages = { findByClientId: vi.fn(async () => null), existsInChat: vi.fn(async () => true) };
  const jobs = { add: vi.fn(), remove: vi.fn(async () => undefined), addBulk: vi.fn() };
  const sender = { send: vi.fn(async () => ({ message: { id: 'm1' }, created: true })) };
  const service = new ScheduledMessageService(scheduled as never, chats as never, messages as never, jobs as never, sender as never);
  return { service, scheduled, chats, messages, jobs, sender };
}

const me = { userId: 'u1', username: 'alice', role: 'user' as const };
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('ScheduledMessageService', () => {
  it('sends a claimed message as its author with its own clientId, then marks it sent', async () => {
    const s = setup();
    s.scheduled.claim.mockResolvedValue({ ...row({ status: 'sending' }), senderUsername: 'alice', senderRole: 'user' });
    await s.service.deliver('s1', 1);
    expect(s.sender.send).toHaveBeenCalledWith(me, 'c1', { clientId: 'k1', body: 'later' });
    expect(s.scheduled.markSent).toHaveBeenCalledWith('s1', 'm1');
  });

  it('does nothing for a cancelled, edited or already sent message', async () => {
    const s = setup();
    s.scheduled.claim.mockResolvedValue(null);
    s.scheduled.findById.mockResolvedValue(row({ version: 2 }));
    expect(await s.service.deliver('s1', 1)).toBeUndefined();
    s.scheduled.findById.mockResolvedValue(null);
    expect(await s.service.deliver('s1', 1)).toBeUndefined();
    expect(s.sender.send).not.toHaveBeenCalled();
  });

  it('comes back at the time when the job fired early', async () => {
    const s = setup();
    const pending = row();
    s.scheduled.claim.mockResolvedValue(null);
    s.scheduled.findById.mockResolvedValue(pending);
    expect(await s.service.deliver('s1', 1)).toEqual({ retryAt: pending.sendAt });
  });

  it('marks it failed when the author left the chat, and lets the job retry a rate limit', async () => {
    const s = setup();
    s.scheduled.claim.mockResolvedValue({ ...row(), senderUsername: 'alice', senderRole: 'user' });
    s.sender.send.mockRejectedValueOnce(notFound('Chat'));
    await s.service.deliver('s1', 1);
    expect(s.scheduled.markFailed).toHaveBeenCalledWith('s1', 'Chat not found');
    s.sender.send.mockRejectedValueOnce(rateLimited(5));
    await expect(s.service.deliver('s1', 1)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('queues one delayed job per row version', async () => {
    const s = setup();
    await s.service.schedule(me, 'c1', { clientId: 'k1', body: 'later', sendAt: inSeconds(60) });
    expect(s.jobs.add).toHaveBeenCalledWith(JobName.ScheduledSend, { scheduledId: 's1', version: 1 }, expect.objectContaining({ jobId: 'scheduled-s1-1' }));
    await s.service.update(me, 'c1', 's1', { body: 'new' });
    expect(s.jobs.add).toHaveBeenLastCalledWith(JobName.ScheduledSend, { scheduledId: 's1', version: 2 }, expect.objectContaining({ jobId: 'scheduled-s1-2' }));
    expect(s.jobs.remove).toHaveBeenCalledWith(JobName.ScheduledSend, 'scheduled-s1-1');
  });

  it('refuses a time under 10 s or over a year ahead, and a stranger', async () => {
    const s = setup();
    await expect(s.service.schedule(me, 'c1', { clientId: 'k', body: 'x', sendAt: inSeconds(5) })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    await expect(s.service.schedule(me, 'c1', { clientId: 'k', body: 'x', sendAt: inSeconds(366 * 24 * 3600) })).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    s.chats.findForMember.mockResolvedValueOnce(null as never);
    await expect(s.service.schedule(me, 'c1', { clientId: 'k', body: 'x', sendAt: inSeconds(60) })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
