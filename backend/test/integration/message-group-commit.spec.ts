import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthContext } from '@/core/auth';
import { ErrorCode } from '@/core/errors';
import { isUnavailableError } from '@/core/unavailable';
import { ChatRepository } from '@/repositories/chat.repository';
import { MessageRepository } from '@/repositories/message.repository';
import { UserRepository } from '@/repositories/user.repository';
import { MessageService } from '@/services/message.service';
import { uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

describe('group commit of sends against the real database', () => {
  let t: TestApp;
  let service: MessageService;
  let repo: MessageRepository;
  let db: DataSource;

  beforeAll(async () => {
    t = await startApp({ RATE_MESSAGES: '1000000' });
    service = t.app.get(MessageService);
    repo = t.app.get(MessageRepository);
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const newUser = () => {
    const username = uniq('gc');
    return t.app.get(UserRepository).create({ email: `${username}@example.test`, username, displayName: username, passwordHash: 'x' });
  };
  const auth = (id: string): AuthContext => ({ userId: id, username: 'x', role: 'user' }) as AuthContext;

  const newGroup = async (memberCount: number) => {
    const users = await Promise.all(Array.from({ length: memberCount }, newUser));
    const chat = await t.app.get(ChatRepository).createWithMembers(
      { type: 'group', title: 'gc', createdBy: users[0].id, directKey: null },
      users.map((u, i) => ({ userId: u.id, role: i === 0 ? ('owner' as const) : ('member' as const) })),
    );
    return { chat: chat!, users };
  };

  const stored = async (chatId: string): Promise<Array<{ id: string; seq: number; clientId: string; senderId: string }>> =>
    db.query('SELECT id, seq, client_id AS "clientId", sender_id AS "senderId" FROM messages WHERE chat_id = $1 ORDER BY seq', [chatId]);

  it('500 concurrent sends with duplicates sprinkled in: seq gapless, one row per clientId, duplicates answer the stored message', async () => {
    const groups = await Promise.all(Array.from({ length: 5 }, () => newGroup(4)));
    const stranger = await newUser();
    const batchSpy = vi.spyOn(repo as unknown as { queryBatch: (...args: unknown[]) => Promise<unknown> }, 'queryBatch');
    const sends: Array<{ chatId: string; senderId: string; clientId: string }> = [];
    for (let i = 0; i < 500; i++) {
      const { chat, users } = groups[i % groups.length];
      const sender = users[Math.floor(i / groups.length) % users.length];
      // Every seventh send repeats an earlier clientId of the same sender and chat, often inside the same batch.
      const repeat = i % 7 === 6 ? sends.filter((s) => s.chatId === chat.id && s.senderId === sender.id).at(-1) : undefined;
      sends.push({ chatId: chat.id, senderId: sender.id, clientId: repeat?.clientId ?? `c${i}` });
    }
    // A non-member's sends in the mix fail alone.
    const foreign = Promise.allSettled(Array.from({ length: 10 }, (_, i) => service.send(auth(stranger.id), groups[0].chat.id, { clientId: `f${i}`, body: 'no' })));
    const results = await Promise.all(sends.map((s, i) => service.send(auth(s.senderId), s.chatId, { clientId: s.clientId, body: `m${i}` })));
    for (const r of await foreign) expect(r).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.NotFound } });

    // Batches of more than one send were written.
    expect(batchSpy.mock.calls.some(([inputs]) => (inputs as unknown[]).length > 1)).toBe(true);
    batchSpy.mockRestore();

    // Per (sender, clientId): every send answers the same message, and exactly one of them created it. Which one is
    // not fixed: a repeat in a later batch can commit first when that batch takes the chat's lock first.
    const unique = new Map<string, string>();
    const creations = new Map<string, number>();
    for (const [i, s] of sends.entries()) {
      const key = `${s.senderId}/${s.clientId}`;
      const { message, created } = results[i];
      if (!unique.has(key)) unique.set(key, message.id);
      expect(message.id).toBe(unique.get(key));
      creations.set(key, (creations.get(key) ?? 0) + (created ? 1 : 0));
    }
    expect([...creations.values()].every((n) => n === 1)).toBe(true);
    let total = 0;
    for (const { chat } of groups) {
      const rows = await stored(chat.id);
      total += rows.length;
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
      const [{ lastMessageSeq }] = await db.query('SELECT last_message_seq AS "lastMessageSeq" FROM chats WHERE id = $1', [chat.id]);
      expect(lastMessageSeq).toBe(rows.length);
      for (const row of rows) expect(unique.get(`${row.senderId}/${row.clientId}`)).toBe(row.id);
    }
    expect(total).toBe(unique.size);
    // Each sender's read marker is at its own last message.
    for (const { chat, users } of groups) {
      const rows = await stored(chat.id);
      for (const u of users) {
        const last = rows.filter((r) => r.senderId === u.id).at(-1)?.seq ?? 0;
        const [{ seq }] = await db.query('SELECT last_read_seq AS seq FROM chat_members WHERE chat_id = $1 AND user_id = $2', [chat.id, u.id]);
        expect(seq).toBe(last);
      }
    }
  });

  it('two instances batching into the same chats at once: every send stored once, seq gapless', async () => {
    const second = await startApp({ RATE_MESSAGES: '1000000' });
    try {
      const groups = await Promise.all(Array.from({ length: 3 }, () => newGroup(3)));
      const services = [service, second.app.get(MessageService)];
      const sends = Array.from({ length: 300 }, (_, i) => {
        const { chat, users } = groups[i % 3];
        return { chatId: chat.id, senderId: users[i % 3].id, clientId: `x${i}`, via: services[i % 2] };
      });
      const results = await Promise.all(sends.map((s) => s.via.send(auth(s.senderId), s.chatId, { clientId: s.clientId, body: s.clientId })));
      expect(results.every((r) => r.created)).toBe(true);
      for (const { chat } of groups) {
        const rows = await stored(chat.id);
        expect(rows.length).toBe(100);
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      }
    } finally {
      await second.close();
    }
  });

  it('carries any text, replies and internal notes through the batch intact', async () => {
    const { chat, users } = await newGroup(2);
    const first = await service.send(auth(users[0].id), chat.id, { clientId: uniq('r'), body: 'first' });
    const batchSpy = vi.spyOn(repo as unknown as { queryBatch: (...args: unknown[]) => Promise<unknown> }, 'queryBatch');
    const bodies = ['NULL', '{a,b}', 'quote " and \\ backslash', 'comma, "x"', '  padded  ', 'эмодзи 😀', "it's", '\\N', ''];
    const results = await Promise.all(
      bodies.map((body, i) =>
        service.send(auth(users[i % 2].id), chat.id, { clientId: uniq('t'), body: body || 'x', replyToId: i % 3 === 0 ? first.message.id : undefined, internal: i === 4 }),
      ),
    );
    expect(batchSpy.mock.calls.some(([inputs]) => (inputs as unknown[]).length > 1)).toBe(true);
    batchSpy.mockRestore();
    for (const [i, r] of results.entries()) {
      expect(r.created).toBe(true);
      expect(r.message.body).toBe(bodies[i] || 'x');
      expect(r.message.replyToId ?? null).toBe(i % 3 === 0 ? first.message.id : null);
      expect(r.message.internal).toBe(i === 4);
    }
    const rows: Array<{ body: string }> = await db.query('SELECT body FROM messages WHERE chat_id = $1 AND seq > 1 ORDER BY seq', [chat.id]);
    expect(rows.map((r) => r.body).sort()).toEqual(bodies.map((b) => b || 'x').sort());
  });

  it('a database connection killed mid-batch fails exactly its sends, retryably, and nothing unstored was answered', async () => {
    const { chat, users } = await newGroup(3);
    const other = await newGroup(2);
    const url = (db.options as { url: string }).url;
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    try {
      // Hold the chat row so the batch statement waits on its lock, then kill the backend running it.
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chat.id]);
      const sends = Array.from({ length: 20 }, (_, i) => ({ sender: users[i % 3], clientId: `k${i}` }));
      const pending = sends.map((s) => service.send(auth(s.sender.id), chat.id, { clientId: s.clientId, body: s.clientId }));
      const settled = Promise.allSettled(pending);
      let killed = 0;
      for (let attempt = 0; attempt < 100 && killed === 0; attempt++) {
        await new Promise((r) => setTimeout(r, 20));
        const { rows } = await blocker.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
           WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%unnest($1::uuid[]%'`,
        );
        killed = rows.length;
      }
      expect(killed).toBeGreaterThan(0);
      await blocker.query('ROLLBACK');
      const results = await settled;
      const rows = await stored(chat.id);
      const storedIds = new Set(rows.map((r) => r.id));
      let failed = 0;
      for (const r of results) {
        if (r.status === 'fulfilled') {
          // An answered send is a stored one.
          expect(storedIds.has(r.value.message.id)).toBe(true);
        } else {
          failed++;
          expect(isUnavailableError(r.reason)).toBe(true);
        }
      }
      expect(failed).toBeGreaterThan(0);
      expect(rows.length).toBe(results.length - failed);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));

      // Resending with the same clientIds completes the chat without a gap or a second copy.
      const again = await Promise.all(sends.map((s) => service.send(auth(s.sender.id), chat.id, { clientId: s.clientId, body: s.clientId })));
      const after = await stored(chat.id);
      expect(after.length).toBe(20);
      expect(after.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(again.map((a) => a.message.id)).size).toBe(20);
      // Other chats were never held up by it.
      await expect(service.send(auth(other.users[0].id), other.chat.id, { clientId: uniq('o'), body: 'fine' })).resolves.toMatchObject({ created: true });
    } finally {
      await blocker.end();
    }
  });

  it('backlogMs: the age of the oldest uncommitted send while a batch waits, 0 once everything is committed', async () => {
    const { chat, users } = await newGroup(2);
    const url = (db.options as { url: string }).url;
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    try {
      expect(repo.backlogMs()).toBe(0);
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chat.id]);
      const sends = Array.from({ length: 5 }, (_, i) => service.send(auth(users[i % 2].id), chat.id, { clientId: `b${i}`, body: 'x' }));
      await new Promise((r) => setTimeout(r, 300));
      // Waiting on the row lock: the oldest send has been there about as long as we waited.
      const during = repo.backlogMs();
      expect(during).toBeGreaterThanOrEqual(250);
      expect(during).toBeLessThan(5_000);
      expect(repo.pendingSends()).toBe(5);
      await blocker.query('ROLLBACK');
      await Promise.all(sends);
      expect(repo.backlogMs()).toBe(0);
      expect(repo.pendingSends()).toBe(0);
    } finally {
      await blocker.end();
    }
  });
});
