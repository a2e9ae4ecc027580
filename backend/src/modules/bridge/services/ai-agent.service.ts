import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import type { AuthContext } from '@/core/auth';
import { conflict, notFound } from '@/core/errors';
import { JobName, type JobPayloads, type RebuiltJob } from '@/core/jobs';
import type { MessageChange, TransactionQuery } from '@/core/message-hooks';
import { CHANNEL_CAPABILITIES, type ChannelAiSettings, DEFAULT_AGENT_NAME, DEFAULT_HANDOFF_KEYWORDS } from '@/modules/bridge/models/channel.model';
import type { InboxThreadRow } from '@/modules/bridge/models/inbox-thread.model';
import { AiMetricsRepository } from '@/modules/bridge/repositories/ai-metrics.repository';
import { AssignmentRepository } from '@/modules/bridge/repositories/assignment.repository';
import { ChannelRepository } from '@/modules/bridge/repositories/channel.repository';
import { InboxRepository } from '@/modules/bridge/repositories/inbox.repository';
import { type LlmAnswer, LlmError, type LlmMessage, LlmRepository, type LlmTool } from '@/modules/bridge/repositories/llm.repository';
import type { ThreadDraftResponseDto, ThreadResponseDto } from '@/modules/bridge/schemas/inbox.dto';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import type { MessageResponseDto } from '@/schemas/message.dto';
import { ChatService } from '@/services/chat.service';
import { MessageService } from '@/services/message.service';
import { UserService } from '@/services/user.service';
import { AutoAssignService } from './auto-assign.service';
import { ChannelAccessService } from './channel-access.service';
import { ThreadViewService } from './thread-view.service';

export const HANDOFF_REASONS = ['tool', 'keyword', 'operator-message', 'take-over', 'timeout', 'model-error', 'agent-off'] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

/** The one tool the model gets. */
export const HANDOFF_TOOL: LlmTool = {
  name: 'handoff_to_human',
  description: 'Hand the conversation to a human operator when you cannot help, the customer is unhappy, or a person must decide.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why a person should take over, in a few words' } },
    required: ['reason'],
  },
};

/** Kept under the 600 s a finished reply job stays in Redis (JOB_OPTIONS), so the sweeper never runs one twice. */
const OWED_WINDOW_SECONDS = 540;
const OWED_BATCH = 500;
/** How many recent messages are read before the token budget trims them. */
const HISTORY_MESSAGES = 60;
/** A rough token estimate (about four characters a token), enough to bound the prompt. */
const tokensOf = (text: string) => Math.ceil(text.length / 4) + 4;

/** Thrown inside an AI message's transaction when the thread is no longer the agent's: the message rolls back unsent. */
export class OwnerChangedError extends Error {
  constructor(readonly chatId: string) {
    super('the thread is no longer owned by the AI agent');
    this.name = 'OwnerChangedError';
  }
}

/**
 * One keyword word as a pattern. Russian words change their endings ("оператор" → "оператора", "живой человек" →
 * "живым человеком"), so a Cyrillic word matches its stem (without its last letter, or two of a short word) plus a
 * short ending ("оператор" still never matches "оперативно");
 * other words match as written or with a plural "s"/"es" (so "human" never matches "humane").
 */
function wordPattern(word: string): string {
  const escaped = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (/^\p{Script=Cyrillic}+$/u.test(word)) {
    const stem = word.length > 6 ? word.slice(0, -1) : word.length > 4 ? word.slice(0, -2) : word;
    return `${escaped(stem)}\\p{L}{0,4}`;
  }
  return `${escaped(word)}(?:s|es)?`;
}

/** Which keyword the text asks for a person with: whole words or phrases, in any case; null when none. */
export function askedForPerson(text: string, keywords: string[]): string | null {
  const lower = text.toLowerCase();
  for (const keyword of keywords) {
    const words = keyword.toLowerCase().trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (new RegExp(`(?<![\\p{L}\\p{N}])${words.map(wordPattern).join('\\s+')}(?![\\p{L}\\p{N}])`, 'u').test(lower)) return keyword;
  }
  return null;
}

/** The thread's history as chat messages for the model, newest kept first within the token budget, oldest first. */
export function historyFor(messages: MessageResponseDto[], budgetTokens: number): LlmMessage[] {
  const picked: LlmMessage[] = [];
  let used = 0;
  for (const message of [...messages].reverse()) {
    const text = message.body?.trim();
    if (!text) continue;
    const cost = tokensOf(text);
    if (used + cost > budgetTokens && picked.length > 0) break;
    used += cost;
    picked.push({ role: message.senderContactId ? 'user' : 'assistant', content: text });
  }
  return picked.reverse();
}

/**
 * The AI agent of a channel: answers customers while a thread's owner is `ai`, and hands the thread to people — by
 * its tool, the customer's words, a timeout or failure, an operator's message or "Take over". Its answer is posted
 * through the messenger's hook like any operator reply; in that same transaction the owner is re-read under the
 * thread's row lock, so an answer that lost the race to a person is rolled back and never sent.
 */
@Injectable()
export class AiAgentService implements OnModuleInit {
  private readonly logger = new Logger('AiAgent');
  /** Operator messages that took a thread from the agent in their transaction, announced once committed. */
  private readonly takenByMessage = new Map<string, { chatId: string; channelId: string; userId: string }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inbox: InboxRepository,
    private readonly channels: ChannelRepository,
    private readonly llm: LlmRepository,
    private readonly metrics: AiMetricsRepository,
    private readonly jobs: JobRepository,
    private readonly assignments: AssignmentRepository,
    private readonly events: EventRepository,
    private readonly websocket: WebsocketRepository,
    private readonly messages: MessageService,
    private readonly chats: ChatService,
    private readonly users: UserService,
    private readonly access: ChannelAccessService,
    private readonly views: ThreadViewService,
    private readonly autoAssign: AutoAssignService,
  ) {}

  onModuleInit(): void {
    this.events.on('message.created', ({ message }) => {
      const taken = this.takenByMessage.get(message.id);
      if (!taken) return;
      this.takenByMessage.delete(message.id);
      void this.announceHandOff(taken.chatId, taken.channelId, 'operator-message', 'an operator answered the customer', taken.userId).catch((error: Error) =>
        this.logger.warn({ err: error, chatId: taken.chatId }, 'hand-off not announced'),
      );
    });
  }

  // ---- a customer wrote ----

  /** New threads of a channel whose agent is enabled start with the agent. */
  initialOwner(ai: ChannelAiSettings | null): 'ai' | 'human' {
    return ai?.enabled ? 'ai' : 'human';
  }

  /** A customer's message was stored: ask for a person, or queue the agent's reply. */
  async onCustomerMessage(thread: InboxThreadRow, message: { id: string; body: string | null }, receivedAt: number): Promise<void> {
    if (thread.owner !== 'ai') return;
    const channel = await this.channels.findById(thread.channelId);
    if (!channel) return;
    if (!channel.ai?.enabled) {
      // The agent was switched off after this thread began: people answer it from now on.
      await this.handOff(thread.chatId, 'agent-off', "the channel's AI agent is switched off");
      return;
    }
    const keyword = askedForPerson(message.body ?? '', channel.ai.handoffKeywords ?? DEFAULT_HANDOFF_KEYWORDS);
    if (keyword) {
      await this.handOff(thread.chatId, 'keyword', `the customer asked for a person ("${keyword}")`);
      return;
    }
    await this.jobs.add(JobName.BridgeAiReply, { chatId: thread.chatId, messageId: message.id, receivedAt }, { jobId: `ai-${message.id}` });
  }

  // ---- the reply job ----

  /**
   * Reply jobs PostgreSQL says are owed (Redis lost them): queued again under their ids, a no-op for a job Redis
   * still holds. Being late by then, they send the fallback and hand off: the customer is never left unanswered.
   * The window stays within the time a finished job is kept, so a job that already ran is never run again.
   */
  async owedReplies(): Promise<Array<RebuiltJob<JobName.BridgeAiReply>>> {
    const owed = await this.inbox.owedAiReplies(OWED_WINDOW_SECONDS, OWED_BATCH);
    return owed.map((o) => ({ jobId: `ai-${o.messageId}`, data: { chatId: o.chatId, messageId: o.messageId, receivedAt: new Date(o.createdAt).getTime() } }));
  }

  async reply(data: JobPayloads[JobName.BridgeAiReply]): Promise<void> {
    const thread = await this.inbox.findThreadByChat(data.chatId);
    const channel = thread ? await this.channels.findById(thread.channelId) : null;
    const ai = channel?.ai;
    if (!thread || !channel || !ai?.enabled || thread.owner !== 'ai') return this.count('skipped', data.receivedAt);
    const history = await this.messages.recentForAgent(thread.chatId, HISTORY_MESSAGES);
    const lastCustomer = [...history].reverse().find((m) => m.senderContactId !== null);
    // A newer customer message has its own job, which answers with this one in its history.
    if (lastCustomer && lastCustomer.id !== data.messageId) return this.count('skipped', data.receivedAt);

    const remainingMs = data.receivedAt + this.config.ai.replyTimeoutMs - Date.now();
    let answer: LlmAnswer;
    try {
      if (remainingMs <= 0) throw new LlmError('timeout', 'the reply was already late when its job started');
      answer = await this.llm.complete({
        model: ai.model,
        temperature: ai.temperature,
        messages: [{ role: 'system', content: ai.systemPrompt }, ...historyFor(history, this.config.ai.historyTokens)],
        tools: [HANDOFF_TOOL],
        timeoutMs: remainingMs,
      });
    } catch (error) {
      const reason: HandoffReason = error instanceof LlmError && error.reason === 'timeout' ? 'timeout' : 'model-error';
      this.logger.warn({ chatId: thread.chatId, reason, err: error instanceof Error ? error.message : String(error) }, 'the model gave no answer: fallback and hand-off');
      // Draft mode never speaks to the customer, not even with the fallback.
      if (ai.mode === 'auto' && ai.fallbackText.trim() && !(await this.post(thread, channel.type, ai, ai.fallbackText, data.messageId))) {
        return this.count('dropped', data.receivedAt);
      }
      await this.handOff(thread.chatId, reason, reason === 'timeout' ? `the model did not answer within ${this.config.ai.replyTimeoutMs} ms` : 'the model failed to answer');
      return this.count('fallback', data.receivedAt);
    }

    if (answer.kind === 'tool') {
      const why = answer.name === HANDOFF_TOOL.name ? String(answer.arguments.reason ?? '').slice(0, 500) : `the model called an unknown tool "${answer.name}"`;
      await this.handOff(thread.chatId, answer.name === HANDOFF_TOOL.name ? 'tool' : 'model-error', why || 'the AI agent asked for a person');
      return this.count('handoff', data.receivedAt);
    }

    if (ai.mode === 'draft') {
      await this.offerDraft(thread.chatId, answer.text);
      return this.count('draft', data.receivedAt);
    }
    const posted = await this.post(thread, channel.type, ai, answer.text, data.messageId);
    this.count(posted ? 'sent' : 'dropped', data.receivedAt);
  }

  /** Posts the agent's text as an `ai` message; false when a person had taken the thread (nothing was stored or sent). */
  private async post(thread: InboxThreadRow, type: keyof typeof CHANNEL_CAPABILITIES, ai: ChannelAiSettings, text: string, customerMessageId: string): Promise<boolean> {
    try {
      await this.messages.sendAsAgent({
        chatId: thread.chatId,
        // One answer per customer message, however often the job runs.
        clientId: `ai-${customerMessageId}`,
        body: text.slice(0, CHANNEL_CAPABILITIES[type].maxTextLength),
        senderKind: 'ai',
        senderName: ai.agentName ?? DEFAULT_AGENT_NAME,
      });
      return true;
    } catch (error) {
      if (!(error instanceof OwnerChangedError)) throw error;
      this.logger.log({ chatId: thread.chatId, customerMessageId }, "a person took the thread over while the model was answering: the model's answer is dropped, never sent");
      return false;
    }
  }

  private count(result: string, receivedAt: number): void {
    this.metrics.replies.inc({ result });
    this.metrics.replySeconds.observe({ result }, Math.max(0, (Date.now() - receivedAt) / 1000));
  }

  // ---- inside a message's transaction (the bridge's inbox hook) ----

  /**
   * An AI message is stored only while the thread is still the agent's (re-read under the row lock); an operator's
   * reply takes the thread from an agent in auto mode. Draft mode keeps drafting, since there people always send.
   */
  async beforeCommit(tx: TransactionQuery, change: MessageChange): Promise<void> {
    if (change.kind !== 'created') return;
    const message = change.message;
    if (message.senderKind === 'ai') {
      if ((await this.inbox.ownerForUpdateInTransaction(tx, message.chatId)) !== 'ai') throw new OwnerChangedError(message.chatId);
      return;
    }
    if (!message.senderId || message.internal) return;
    const taken = await this.inbox.handOffForReplyInTransaction(tx, message.chatId);
    if (!taken) return;
    this.takenByMessage.set(message.id, { chatId: message.chatId, channelId: taken.channelId, userId: message.senderId });
    // A transaction that rolled back never announces its message.
    setTimeout(() => this.takenByMessage.delete(message.id), 60_000).unref();
  }

  // ---- hand-off and return ----

  /** ai → human; true when this call made the change (and so announced it). */
  async handOff(chatId: string, reason: HandoffReason, detail: string, byUserId?: string): Promise<boolean> {
    const row = await this.inbox.handOff(chatId);
    if (!row) return false;
    await this.announceHandOff(chatId, row.channelId, reason, detail, byUserId);
    return true;
  }

  private async announceHandOff(chatId: string, channelId: string, reason: HandoffReason, detail: string, byUserId?: string): Promise<void> {
    this.metrics.handoffs.inc({ reason });
    this.logger.log({ chatId, reason, detail }, 'thread handed to people');
    // Whoever took it over answers it; otherwise the channel's auto-assignment picks someone.
    if (byUserId) await this.assignments.assignIfUnassigned(chatId, byUserId);
    else await this.autoAssign.assign(chatId);
    await this.views.announce(chatId);
    const chat = await this.chats.viewForSystem(chatId);
    const memberIds = chat?.members.map((m) => m.userId) ?? [];
    const at = new Date().toISOString();
    this.websocket.emitToUsers(memberIds, 'thread:handoff', { chatId, reason, detail, at });
    this.events.emit('thread.handoff', { chatId, channelId, reason, detail, at, memberIds });
  }

  async takeOver(auth: AuthContext, chatId: string): Promise<ThreadResponseDto> {
    await this.requireThread(auth, chatId);
    const [me] = await this.users.publicUsers([auth.userId]);
    await this.handOff(chatId, 'take-over', `${me?.displayName || me?.username || 'An operator'} took over`, auth.userId);
    return this.view(auth, chatId);
  }

  async returnToAi(auth: AuthContext, chatId: string): Promise<ThreadResponseDto> {
    const thread = await this.requireThread(auth, chatId);
    const channel = await this.channels.findById(thread.channelId);
    if (!channel?.ai?.enabled) throw conflict("the thread's channel has no AI agent enabled; enable it in the channel's settings first");
    if (await this.inbox.returnToAi(chatId)) await this.views.announce(chatId);
    return this.view(auth, chatId);
  }

  // ---- drafts ----

  private async offerDraft(chatId: string, text: string): Promise<void> {
    const row = await this.inbox.setDraft(chatId, text);
    if (row) await this.pushDraft(chatId, { text, createdAt: new Date(row.aiDraftAt ?? Date.now()).toISOString() });
  }

  async draft(auth: AuthContext, chatId: string): Promise<ThreadDraftResponseDto> {
    const thread = await this.requireThread(auth, chatId);
    return { text: thread.aiDraft, createdAt: thread.aiDraftAt ? new Date(thread.aiDraftAt).toISOString() : null };
  }

  /** "Use" (the text went to the composer) and "Discard" both end the draft. */
  async discardDraft(auth: AuthContext, chatId: string): Promise<void> {
    await this.requireThread(auth, chatId);
    await this.inbox.setDraft(chatId, null);
    await this.pushDraft(chatId, { text: null, createdAt: null });
  }

  private async pushDraft(chatId: string, draft: ThreadDraftResponseDto): Promise<void> {
    const chat = await this.chats.viewForSystem(chatId);
    if (chat) this.websocket.emitToUsers(chat.members.map((m) => m.userId), 'thread:draft', { chatId, ...draft });
  }

  private async requireThread(auth: AuthContext, chatId: string): Promise<InboxThreadRow> {
    const thread = await this.inbox.findThreadByChat(chatId);
    if (!thread) throw notFound('Thread');
    await this.access.requireChannel(auth, thread.channelId).catch(() => {
      throw notFound('Thread');
    });
    return thread;
  }

  private async view(auth: AuthContext, chatId: string): Promise<ThreadResponseDto> {
    const thread = await this.inbox.findThreadByChat(chatId);
    const [view] = thread ? await this.views.viewsFor(auth.userId, [thread]) : [];
    if (!view) throw notFound('Thread');
    return view;
  }
}
