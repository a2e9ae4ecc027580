import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatRepository } from '@/repositories/chat.repository';
import { MessageRepository, type InsertResult } from '@/repositories/message.repository';
import { UserRepository } from '@/repositories/user.repository';
import { uniq } from '../helpers/api';
import { startApp, type TestApp } from '../helpers/app';

describe('message seq against the real database', () => {
  let t: TestApp;
  let messages: MessageRepository;
  let chats: ChatRepository;
  let db: DataSource;

  beforeAll(async () => {
    t = await startApp();
    messages = t.app.get(MessageRepository);
    chats = t.app.get(ChatRepository);
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const newUser = () => {
    const username = uniq('seq');
    return t.app.get(UserRepository).create({ email: `${username}@example.test`, username, displayName: username, passwordHash: 'x' });
  };

  const newGroup = async (memberCount: number) => {
    const users = await Promise.all(Array.from({ length: memberCount }, newUser));
    const chat = await chats.createWithMembers(
      { type: 'group', title: 'seq', createdBy: users[0].id, directKey: null },
      users.map((u, i) => ({ userId: u.id, role: i === 0 ? ('owner' as const) : ('member' as const) })),
    );
    return { chat: chat!, users };
  };

  const storedSeqs = async (chatId: string): Promise<number[]> =>
    (await db.query('SELECT seq FROM messages WHERE chat_id = $1 ORDER BY seq', [chatId])).map((r: { seq: number }) => r.seq);

  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('assigns 1..200 with no gap and no repeat when 200 messages from 5 senders arrive at once', async () => {
    const { chat, users } = await newGroup(5);
    const results = await Promise.all(
      range(200).map((i) =>
        messages.insert({ chatId: chat.id, senderId: users[i % 5].id, clientId: `c-${i}`, body: `message ${i}`, replyToId: null, internal: false }),
      ),
    );
    expect(results.every((r) => r.status === 'created')).toBe(true);
    const returned = results.map((r) => (r as Extract<InsertResult, { status: 'created' }>).message.seq).sort((a, b) => a - b);
    expect(returned).toEqual(range(200));
    expect(await storedSeqs(chat.id)).toEqual(range(200));
    expect((await chats.findForMember(chat.id, users[0].id))!.lastMessageSeq).toBe(200);
    // The recipients come back with the insert, so the broadcast needs no second query.
    const members = users.map((u) => u.id).sort();
    for (const r of results) expect([...(r as Extract<InsertResult, { status: 'created' }>).memberIds].sort()).toEqual(members);

  });

  it('stores one row for a clientId sent 30 times at once, and leaves no gap behind the duplicates', async () => {
    const { chat, users } = await newGroup(3);
    const [alice, bob] = users;
    const results = await Promise.all([
      ...Array.from({ length: 30 }, () =>
        messages.insert({ chatId: chat.id, senderId: alice.id, clientId: 'same-key', body: 'only once', replyToId: null, internal: false }),
      ),
      ...range(20).map((i) => messages.insert({ chatId: chat.id, senderId: bob.id, clientId: `bob-${i}`, body: `b${i}`, replyToId: null, internal: false })),
    ]);
    const aliceResults = results.slice(0, 30);
    expect(aliceResults.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(aliceResults.filter((r) => r.status === 'duplicate')).toHaveLength(29);
    const ids = new Set(aliceResults.map((r) => (r.status === 'not_member' ? null : r.message.id)));
    expect(ids.size).toBe(1);

    const stored: Array<{ n: string }> = await db.query('SELECT count(*) AS n FROM messages WHERE sender_id = $1 AND client_id = $2', [
      alice.id,
      'same-key',
    ]);
    expect(Number(stored[0].n)).toBe(1);
    expect(await storedSeqs(chat.id)).toEqual(range(21));
    expect((await chats.findForMember(chat.id, alice.id))!.lastMessageSeq).toBe(21);
  });

  it('keeps separate chats on separate sequences', async () => {
    const [a, b] = await Promise.all([newGroup(2), newGroup(2)]);
    await Promise.all(
      range(40).map((i) => {
        const { chat, users } = i % 2 ? a : b;
        return messages.insert({ chatId: chat.id, senderId: users[i % 2 ? 0 : 1].id, clientId: `x-${i}`, body: 'x', replyToId: null, internal: false });
      }),
    );
    expect(await storedSeqs(a.chat.id)).toEqual(range(20));
    expect(await storedSeqs(b.chat.id)).toEqual(range(20));
  });

  it('refuses a sender who is not a member without taking a seq', async () => {
    const { chat, users } = await newGroup(2);
    const stranger = await newUser();
    await messages.insert({ chatId: chat.id, senderId: users[0].id, clientId: 'first', body: 'first', replyToId: null, internal: false });
    const result = await messages.insert({ chatId: chat.id, senderId: stranger.id, clientId: 'intrude', body: 'hi', replyToId: null, internal: false });
    expect(result.status).toBe('not_member');
    await messages.insert({ chatId: chat.id, senderId: users[1].id, clientId: 'second', body: 'second', replyToId: null, internal: false });
    expect(await storedSeqs(chat.id)).toEqual([1, 2]);
  });
});
