import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@/core/config';
import { JobName } from '@/core/jobs';
import { DigestRepository, type UnreadChat } from '@/repositories/digest.repository';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MailRepository } from '@/repositories/mail.repository';
import { PresenceRepository } from '@/repositories/presence.repository';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { newTestService, stand } from '@test/unit/service';
import { DigestService } from './digest.service';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MIN = 60_000;
const bob = '00000000-0000-4000-8000-000000000002';
const alice = '00000000-0000-4000-8000-000000000001';
const config = { digest: { offlineSeconds: 900, intervalSeconds: 3600 }, mail: { publicUrl: 'https://chat.example' } } as AppConfig;
const unread: UnreadChat[] = [{ chatId: 'c', type: 'group', title: 'Team <b>', unread: 2, lastSender: 'Alice', lastBody: 'see you', lastAt: new Date(NOW) }];

function setup(state: { online: boolean; lastSeenAt: number | null }, over: { emailDigest?: boolean; lastDigestAt?: Date | null } = {}) {
  const digests = {
    findRecipient: vi.fn(async () => ({ id: bob, email: 'bob@example.test', displayName: 'Bob', emailDigest: over.emailDigest ?? true, lastDigestAt: over.lastDigestAt ?? null })),
    unreadSince: vi.fn(async () => unread),
    claim: vi.fn(async () => ({ previous: null })),
    release: vi.fn(async () => undefined),
  };
  const presence = { lookup: vi.fn(async () => [{ userId: bob, ...state }]) };
  const mail = { send: vi.fn(async (_mail: { to: string; subject: string; html: string }) => undefined) };
  const jobs = { addBulk: vi.fn(async () => undefined) };
  const events = { on: vi.fn(() => () => undefined) };
  const service = newTestService(DigestService, [stand(DigestRepository, digests), stand(PresenceRepository, presence), stand(MailRepository, mail), stand(JobRepository, jobs), stand(EventRepository, events)], config);
  return { service, digests, mail, jobs };
}

describe('DigestService.run', () => {
  it('mails someone away for 15 minutes with unread messages, with HTML escaped', async () => {
    const { service, mail, digests } = setup({ online: false, lastSeenAt: NOW - 16 * MIN });
    expect(await service.run(bob, NOW)).toBeUndefined();
    expect(digests.claim).toHaveBeenCalledWith(bob, 3600);
    const sent = mail.send.mock.calls[0][0];
    expect(sent).toMatchObject({ to: 'bob@example.test', subject: '2 unread messages in 1 chat' });
    expect(sent.html).toContain('Team &#60;b&#62;');
  });

  it('waits until 15 minutes after the user left', async () => {
    const { service, mail } = setup({ online: false, lastSeenAt: NOW - 5 * MIN });
    expect(await service.run(bob, NOW)).toEqual({ retryAt: new Date(NOW + 10 * MIN) });
    expect(mail.send).not.toHaveBeenCalled();
  });

  it('looks again later while the user is online with something unread', async () => {
    const { service, mail } = setup({ online: true, lastSeenAt: null });
    expect(await service.run(bob, NOW)).toEqual({ retryAt: new Date(NOW + 15 * MIN) });
    expect(mail.send).not.toHaveBeenCalled();
  });

  it('sends at most one per hour', async () => {
    const { service, mail } = setup({ online: false, lastSeenAt: null }, { lastDigestAt: new Date(NOW - 20 * MIN) });
    expect(await service.run(bob, NOW)).toEqual({ retryAt: new Date(NOW + 40 * MIN) });
    expect(mail.send).not.toHaveBeenCalled();
  });

  it('does nothing for a user who switched it off', async () => {
    const { service, mail } = setup({ online: false, lastSeenAt: null }, { emailDigest: false });
    expect(await service.run(bob, NOW)).toBeUndefined();
    expect(mail.send).not.toHaveBeenCalled();
  });

  it('gives the claim back when the mail cannot be sent, so the retry may send it', async () => {
    const { service, mail, digests } = setup({ online: false, lastSeenAt: null });
    mail.send.mockRejectedValueOnce(new Error('SMTP down'));
    await expect(service.run(bob, NOW)).rejects.toThrow('SMTP down');
    expect(digests.release).toHaveBeenCalledWith(bob, null);
  });
});

describe('DigestService.schedule', () => {
  it('queues one delayed, deduplicated check per recipient, not for the sender, and not again for every message', async () => {
    const { service, jobs } = setup({ online: false, lastSeenAt: null });
    const event = { chatId: 'c', memberIds: [alice, bob], message: { senderId: alice } as MessageResponseDto };
    await service.schedule(event);
    await service.schedule(event);
    expect(jobs.addBulk).toHaveBeenCalledTimes(1);
    expect(jobs.addBulk).toHaveBeenCalledWith([{ name: JobName.UserDigest, data: { userId: bob }, options: { jobId: `digest-${bob}`, delayMs: 900_000 } }]);
  });
});
