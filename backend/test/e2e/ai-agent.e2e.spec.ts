import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRepository } from '../../src/repositories/event.repository';
import { JobService } from '../../src/services/job.service';
import { MessageService } from '../../src/services/message.service';
import { startFakeAvito, type FakeAvito, type FakeAvitoAccount } from '../fakes/avito';
import { startFakeLlm, type FakeLlm } from '../fakes/llm';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram';
import { registerUser, type TestUser } from '../helpers/api';
import { metricsAuth, startApp, type TestApp } from '../helpers/app';
import { api, avitoChannel, type Channel, eventually, registerAdmin, send, telegramChannel } from '../helpers/outbound';
import { closeAllSockets, connect, Inbox } from '../helpers/socket';

/**
 * The AI agent on Telegram and Avito channels against the fake providers and a fake OpenAI-compatible model:
 * answers, hand-offs (keyword, tool, timeout, operator, take-over), the late answer that must never be sent, drafts.
 */
const AI = {
  enabled: true,
  mode: 'auto',
  model: 'fake-model',
  systemPrompt: 'You are the shop assistant. Answer briefly.',
  fallbackText: 'Sorry, a manager will answer you shortly.',
  agentName: 'Shop bot',
};
const TIMEOUT_MS = 1500;

interface Thread {
  chat: { id: string };
  contact: { id: string };
  owner: 'ai' | 'human';
  status: string;
  assigneeId: string | null;
  aiAgent: { mode: string; agentName: string } | null;
  lastMessage?: { body?: string | null } | null;
}
interface Message {
  id: string;
  body: string | null;
  senderId: string | null;
  senderContactId: string | null;
  senderKind?: string;
  senderName?: string;
  delivery?: { state: string };
}
type Handoff = { chatId: string; reason: string; detail: string; memberIds: string[] };

describe('AI agent (e2e: the app, fake Telegram, fake Avito, fake model)', () => {
  let tg: FakeTelegram;
  let avito: FakeAvito;
  let llm: FakeLlm;
  let app: TestApp;
  let admin: TestUser;
  let bot: FakeBot;
  let channel: Channel;
  let draftBot: FakeBot;
  let customer = 910_000;
  const handoffs: Handoff[] = [];

  beforeAll(async () => {
    [tg, avito, llm] = await Promise.all([startFakeTelegram(), startFakeAvito(), startFakeLlm({ apiKey: 'test-ai-key' })]);
    app = await startApp({
      PUBLIC_URL: 'https://messenger.example.test',
      TELEGRAM_API_URL: tg.url,
      AVITO_API_URL: avito.url,
      BRIDGE_PROVIDER_TIMEOUT_SECONDS: '2',
      AI_BASE_URL: llm.url,
      AI_API_KEY: 'test-ai-key',
      AI_REPLY_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    app.app.get(EventRepository).on('thread.handoff', (event) => handoffs.push(event));
    admin = await registerAdmin(app.url);
    bot = tg.addBot();
    channel = await telegramChannel(app.url, admin, bot);
    expect((await api(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: AI })).status).toBe(200);
    draftBot = tg.addBot();
    const created = await api<Channel & { ai: { mode: string } }>(app.url, admin, 'POST', '/channels', {
      type: 'telegram',
      name: 'draft bot',
      botToken: draftBot.token,
      ai: { ...AI, mode: 'draft' },
    });
    expect(created.status).toBe(201);
    expect(created.body.ai).toMatchObject({ mode: 'draft', enabled: true, handoffKeywords: expect.arrayContaining(['оператор', 'живой человек']) });
  });
  afterAll(async () => {
    closeAllSockets();
    await app?.close();
    await Promise.all([tg?.close(), avito?.close(), llm?.close()]);
  });

  /** A Telegram customer writes `text`; resolves to the thread once the job stored the message. */
  async function customerWrites(to: FakeBot, channelId: string, customerId: number, text: string): Promise<Thread> {
    const update = to.update('text', { from: { id: customerId, firstName: `Customer ${customerId}` }, text });
    const hook = new URL(to.webhook!.url);
    const res = await fetch(`${app.url}${hook.pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': to.webhook!.secretToken! },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    return eventually(async () => {
      const list = await api<{ items: Thread[] }>(app.url, admin, 'GET', `/inbox/threads?channelId=${channelId}&limit=100`);
      const found = list.body.items.find((t) => t.lastMessage?.body === text);
      if (found) return found;
      // The agent may have answered already, so the thread's last message is no longer the customer's.
      for (const t of list.body.items) {
        const items = (await api<{ items: Message[] }>(app.url, admin, 'GET', `/chats/${t.chat.id}/messages?limit=50`)).body.items;
        if (items.some((m) => m.body === text)) return t;
      }
      return undefined;
    }, 20_000, `the thread with "${text}"`);
  }

  const messagesOf = async (chatId: string) => (await api<{ items: Message[] }>(app.url, admin, 'GET', `/chats/${chatId}/messages?limit=100`)).body.items;
  const threadOf = async (chatId: string, channelId = channel.id) =>
    (await api<{ items: Thread[] }>(app.url, admin, 'GET', `/inbox/threads?channelId=${channelId}&limit=100`)).body.items.find((t) => t.chat.id === chatId)!;
  const sentTo = (to: FakeBot, customerId: number) => to.sent.filter((s) => s.chatId === String(customerId)).map((s) => s.text);
  const metrics = async () => (await fetch(`${app.url}/metrics`, { headers: metricsAuth })).text();
  const settle = (ms = TIMEOUT_MS + 1000) => new Promise((r) => setTimeout(r, ms));

  it('a customer message gets the model\'s answer at the fake Telegram, shown in history as the AI with the agent name', async () => {
    const id = ++customer;
    llm.script({ text: 'We deliver tomorrow.' });
    const thread = await customerWrites(bot, channel.id, id, 'When do you deliver?');
    expect(thread).toMatchObject({ owner: 'ai', aiAgent: { mode: 'auto', agentName: 'Shop bot' } });
    await eventually(async () => sentTo(bot, id).includes('We deliver tomorrow.'), 15_000, 'the AI answer at Telegram');
    const answer = (await messagesOf(thread.chat.id)).find((m) => m.body === 'We deliver tomorrow.')!;
    expect(answer).toMatchObject({ senderId: null, senderContactId: null, senderKind: 'ai', senderName: 'Shop bot' });
    const request = llm.log.at(-1)!;
    expect(request.authorization).toBe('Bearer test-ai-key');
    expect(request.body).toMatchObject({ model: 'fake-model', tools: [{ type: 'function', function: { name: 'handoff_to_human' } }] });
    expect((request.body.messages as Array<{ role: string; content: string }>).map((m) => [m.role, m.content])).toEqual([
      ['system', AI.systemPrompt],
      ['user', 'When do you deliver?'],
    ]);
    expect(await metrics()).toMatch(/ai_replies_total\{result="sent"\} [1-9]/);
    expect(await metrics()).toMatch(/ai_reply_seconds_bucket/);
  });

  it('the next question carries the conversation so far to the model', async () => {
    const id = ++customer;
    llm.script({ text: 'Hello!' });
    const thread = await customerWrites(bot, channel.id, id, 'Hi');
    await eventually(async () => sentTo(bot, id).includes('Hello!'), 15_000, 'the first answer');
    llm.script({ text: 'It costs 10.' });
    await customerWrites(bot, channel.id, id, 'How much is it?');
    await eventually(async () => sentTo(bot, id).includes('It costs 10.'), 15_000, 'the second answer');
    const messages = (llm.log.at(-1)!.body.messages as Array<{ role: string; content: string }>).map((m) => [m.role, m.content]);
    expect(messages).toEqual([
      ['system', AI.systemPrompt],
      ['user', 'Hi'],
      ['assistant', 'Hello!'],
      ['user', 'How much is it?'],
    ]);
    expect((await threadOf(thread.chat.id)).owner).toBe('ai');
  });

  it('an Avito customer gets the answer at the fake Avito', async () => {
    const account: FakeAvitoAccount = avito.addAccount();
    const avChannel = await avitoChannel(app.url, admin, account);
    expect((await api(app.url, admin, 'PATCH', `/channels/${avChannel.id}`, { ai: AI })).status).toBe(200);
    llm.script({ text: 'Yes, it is available.' });
    const avitoChatId = account.addChat({ customerName: 'Avito customer' });
    const body = await account.customerMessage(avitoChatId, { text: 'Is it available?' }, { deliver: false });
    const hook = new URL(account.webhooks[0]);
    expect((await account.deliver(body, `${app.url}${hook.pathname}`)).status).toBe(200);
    await eventually(async () => account.sent.find((s) => s.chatId === avitoChatId && s.text === 'Yes, it is available.'), 15_000, 'the AI answer at Avito');
  });

  it('"оператор" hands the thread to people without asking the model: owner human, status open, the event says why', async () => {
    const id = ++customer;
    const before = llm.log.length;
    const live = new Inbox(await connect(app.url, admin.accessToken));
    const thread = await customerWrites(bot, channel.id, id, 'Позовите оператора, пожалуйста');
    const handoff = await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'the hand-off event');
    expect(handoff).toMatchObject({ reason: 'keyword', detail: expect.stringContaining('оператор') });
    expect(handoff.memberIds).toContain(admin.id);
    await live.waitFor<{ chatId: string; reason: string }>('thread:handoff', (e) => e.chatId === thread.chat.id && e.reason === 'keyword');
    await live.waitFor<{ chat: { id: string }; owner: string }>('thread:updated', (e) => e.chat.id === thread.chat.id && e.owner === 'human');
    expect(await threadOf(thread.chat.id)).toMatchObject({ owner: 'human', status: 'open' });
    await settle(500);
    expect(llm.log.length).toBe(before);
    expect(sentTo(bot, id)).toEqual([]);
    expect(await metrics()).toMatch(/ai_handoffs_total\{reason="keyword"\} [1-9]/);
  });

  it('the model calling handoff_to_human hands off with its reason; nothing is sent to the customer', async () => {
    const id = ++customer;
    llm.script({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'wants a refund' } } });
    const thread = await customerWrites(bot, channel.id, id, 'I want my money back');
    const handoff = await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'the hand-off event');
    expect(handoff).toMatchObject({ reason: 'tool', detail: 'wants a refund' });
    expect((await threadOf(thread.chat.id)).owner).toBe('human');
    expect(sentTo(bot, id)).toEqual([]);
  });

  it('a model slower than the timeout: the fallback text goes out and the thread is handed off', async () => {
    const id = ++customer;
    llm.script({ text: 'too late', delayMs: TIMEOUT_MS + 2000 });
    const thread = await customerWrites(bot, channel.id, id, 'Are you there?');
    await eventually(async () => sentTo(bot, id).includes(AI.fallbackText), 15_000, 'the fallback text');
    const handoff = await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'the hand-off event');
    expect(handoff.reason).toBe('timeout');
    expect((await threadOf(thread.chat.id)).owner).toBe('human');
    await settle(2500);
    expect(sentTo(bot, id)).toEqual([AI.fallbackText]);
    expect(llm.log.at(-1)!.aborted).toBe(true);
  });

  it('a failing model (switched to errors): fallback and hand-off', async () => {
    const id = ++customer;
    llm.failWith(503);
    try {
      const thread = await customerWrites(bot, channel.id, id, 'Hello?');
      await eventually(async () => sentTo(bot, id).includes(AI.fallbackText), 15_000, 'the fallback text');
      expect((await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'hand-off')).reason).toBe('model-error');
    } finally {
      llm.failWith(null);
    }
  });

  it('an operator takes over while the model is still thinking: the late answer is never sent', async () => {
    const id = ++customer;
    const before = llm.log.length;
    llm.script({ text: 'the late answer', delayMs: 900 });
    const thread = await customerWrites(bot, channel.id, id, 'Quick question');
    await eventually(async () => llm.log.length > before, 10_000, 'the model asked');
    const taken = await api<Thread>(app.url, admin, 'POST', `/inbox/threads/${thread.chat.id}/take-over`);
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ owner: 'human', status: 'open', assigneeId: admin.id });
    expect(handoffs.find((h) => h.chatId === thread.chat.id)).toMatchObject({ reason: 'take-over' });
    await settle(2500);
    expect(llm.log.at(-1)!.aborted).toBe(false);
    expect(sentTo(bot, id)).toEqual([]);
    expect((await messagesOf(thread.chat.id)).map((m) => m.body)).toEqual(['Quick question']);
    expect(await metrics()).toMatch(/ai_replies_total\{result="dropped"\} [1-9]/);
  });

  it('an operator message takes the thread; the customer\'s next message gets no AI answer; Return to AI gives it back', async () => {
    const id = ++customer;
    llm.script({ text: 'AI hello' });
    const thread = await customerWrites(bot, channel.id, id, 'Hello shop');
    await eventually(async () => sentTo(bot, id).includes('AI hello'), 15_000, 'the AI answer');
    expect((await send(app.url, admin, thread.chat.id, { body: 'Operator here' })).status).toBe(201);
    await eventually(async () => (await threadOf(thread.chat.id)).owner === 'human', 10_000, 'owner human');
    expect(await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'the event')).toMatchObject({ reason: 'operator-message' });
    const before = llm.log.length;
    await customerWrites(bot, channel.id, id, 'Thanks operator');
    await settle(1000);
    expect(llm.log.length).toBe(before);

    const back = await api<Thread>(app.url, admin, 'POST', `/inbox/threads/${thread.chat.id}/return-to-ai`);
    expect(back.status).toBe(200);
    expect(back.body.owner).toBe('ai');
    llm.script({ text: 'AI again' });
    await customerWrites(bot, channel.id, id, 'One more thing');
    await eventually(async () => sentTo(bot, id).includes('AI again'), 15_000, 'the AI answering again');
  });

  it('an internal note does not take the thread from the agent', async () => {
    const id = ++customer;
    llm.script({ text: 'noted' });
    const thread = await customerWrites(bot, channel.id, id, 'note test');
    await eventually(async () => sentTo(bot, id).includes('noted'), 15_000, 'the AI answer');
    expect((await send(app.url, admin, thread.chat.id, { body: 'a note', internal: true })).status).toBe(201);
    await settle(300);
    expect((await threadOf(thread.chat.id)).owner).toBe('ai');
  });

  it('draft mode: the answer waits for the operators as a draft and nothing is sent by itself', async () => {
    const id = ++customer;
    const draftChannel = (await api<{ items: Array<Channel & { name: string }> }>(app.url, admin, 'GET', '/channels')).body.items.find((c) => c.name === 'draft bot')!;
    const live = new Inbox(await connect(app.url, admin.accessToken));
    llm.script({ text: 'Draft: we open at 9.' });
    const thread = await customerWrites(draftBot, draftChannel.id, id, 'When do you open?');
    await live.waitFor<{ chatId: string; text: string }>('thread:draft', (e) => e.chatId === thread.chat.id && e.text === 'Draft: we open at 9.', 1, 15_000);
    expect(thread.aiAgent).toMatchObject({ mode: 'draft' });
    const draft = await eventually(
      async () => {
        const res = await api<{ text: string | null; createdAt: string | null }>(app.url, admin, 'GET', `/inbox/threads/${thread.chat.id}/draft`);
        return res.body.text ? res.body : undefined;
      },
      15_000,
      'the draft',
    );
    expect(draft.text).toBe('Draft: we open at 9.');
    await settle(1500);
    expect(sentTo(draftBot, id)).toEqual([]);
    expect((await messagesOf(thread.chat.id)).map((m) => m.body)).toEqual(['When do you open?']);
    // The operator uses it: sends the text, and the draft ends; the agent keeps drafting for the next message.
    expect((await send(app.url, admin, thread.chat.id, { body: draft.text })).status).toBe(201);
    expect((await api(app.url, admin, 'DELETE', `/inbox/threads/${thread.chat.id}/draft`)).status).toBe(204);
    expect((await api<{ text: string | null }>(app.url, admin, 'GET', `/inbox/threads/${thread.chat.id}/draft`)).body.text).toBeNull();
    expect((await threadOf(thread.chat.id, draftChannel.id)).owner).toBe('ai');
  });

  it('a reply job Redis lost is queued again from PostgreSQL by the sweeper: the customer is answered', async () => {
    const id = ++customer;
    llm.script({ text: 'first' });
    const thread = await customerWrites(bot, channel.id, id, 'sweeper test');
    await eventually(async () => sentTo(bot, id).includes('first'), 15_000, 'the first answer');
    // A customer message stored without its job, as after Redis lost it.
    await app.app.get(MessageService).importExternal({ chatId: thread.chat.id, externalId: `lost-${id}`, senderContactId: thread.contact.id, body: 'is anyone there?', createdAt: new Date() });
    llm.script({ text: 'second' });
    expect(await app.app.get(JobService).sweep()).toBeGreaterThan(0);
    // Maybe late by now: the answer or, past the timeout, the fallback with a hand-off; never silence.
    await eventually(async () => sentTo(bot, id).length === 2, 15_000, 'an answer to the lost message');
    expect([['first', 'second'], ['first', AI.fallbackText]]).toContainEqual(sentTo(bot, id));
    // The fallback path leaves 'second' scripted: it must not answer someone else.
    llm.reset();
  });

  it('a thread whose channel agent was switched off goes to people on the customer\'s next message', async () => {
    const id = ++customer;
    llm.script({ text: 'hi there' });
    const thread = await customerWrites(bot, channel.id, id, 'agent off test');
    await eventually(async () => sentTo(bot, id).includes('hi there'), 15_000, 'the AI answer');
    expect((await api(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { enabled: false } })).status).toBe(200);
    try {
      const before = llm.log.length;
      await customerWrites(bot, channel.id, id, 'still there?');
      expect(await eventually(async () => handoffs.find((h) => h.chatId === thread.chat.id), 10_000, 'the hand-off')).toMatchObject({ reason: 'agent-off' });
      expect(await threadOf(thread.chat.id)).toMatchObject({ owner: 'human', aiAgent: null });
      expect(llm.log.length).toBe(before);
    } finally {
      expect((await api(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { enabled: true } })).status).toBe(200);
    }
  });

  it('bad settings get a 400 naming the field; strangers get 404; returning a thread to a channel without AI is 409', async () => {
    const bad = await api<{ fields?: string[] }>(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { mode: 'loud' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toContain('ai.mode');
    const missing = await api<{ fields?: string[] }>(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { model: '', enabled: true } });
    expect(missing.status).toBe(400);
    const temp = await api<{ fields?: string[] }>(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { temperature: 5 } });
    expect(temp.status).toBe(400);
    expect(temp.body.fields).toContain('ai.temperature');

    const id = ++customer;
    llm.script({ text: 'x' });
    const thread = await customerWrites(bot, channel.id, id, 'stranger test');
    const stranger = await registerUser(app.url);
    expect((await api(app.url, stranger, 'POST', `/inbox/threads/${thread.chat.id}/take-over`)).status).toBe(404);
    expect((await api(app.url, stranger, 'GET', `/inbox/threads/${thread.chat.id}/draft`)).status).toBe(404);
    expect((await api(app.url, admin, 'POST', `/inbox/threads/${randomUUID()}/return-to-ai`)).status).toBe(404);

    expect((await api(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { enabled: false } })).status).toBe(200);
    try {
      await api(app.url, admin, 'POST', `/inbox/threads/${thread.chat.id}/take-over`);
      expect((await api(app.url, admin, 'POST', `/inbox/threads/${thread.chat.id}/return-to-ai`)).status).toBe(409);
    } finally {
      expect((await api(app.url, admin, 'PATCH', `/channels/${channel.id}`, { ai: { enabled: true } })).status).toBe(200);
    }
  });
});
