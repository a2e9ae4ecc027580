import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { badRequest, forbidden, notFound, rateLimited } from '@/core/errors';
import type { ChatEntity } from '@/models/chat.entity';
import type { MemberRole } from '@/models/chat-member.entity';
import { ChatRepository, type ChatWithMembership } from '@/repositories/chat.repository';
import { EventRepository } from '@/repositories/event.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { UserRepository } from '@/repositories/user.repository';
import {
  CHAT_PAGE_DEFAULT,
  decodeChatCursor,
  encodeChatCursor,
  toChatResponse,
  type AddMemberDto,
  type ChatListQueryDto,
  type ChatListResponseDto,
  type ChatResponseDto,
  type CreateChatDto,
} from '@/schemas/chat.dto';

const MANAGERS: MemberRole[] = ['owner', 'admin'];

export const directKeyOf = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

@Injectable()
export class ChatService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chats: ChatRepository,
    private readonly users: UserRepository,
    private readonly events: EventRepository,
    private readonly rateLimits: RateLimitRepository,
  ) {}

  /** Returns the chat and whether it was created now (a direct chat may already exist). */
  async create(auth: AuthContext, dto: CreateChatDto): Promise<{ chat: ChatResponseDto; created: boolean }> {
    const limit = this.config.rateLimits.chats;
    const hit = await this.rateLimits.hit('chat-create', auth.userId, limit.windowSeconds);
    if (hit.count > limit.limit) throw rateLimited(hit.retryAfterSeconds);
    if (dto.type === 'direct') return this.openDirect(auth, dto.userId!);

    const title = dto.title!.trim();
    if (!title) throw badRequest('title must contain a non-space character', ['title']);
    const memberIds = [...new Set((dto.memberIds ?? []).filter((id) => id !== auth.userId))];
    if ((await this.users.countExisting(memberIds)) !== memberIds.length) {
      throw badRequest('memberIds contains an unknown user', ['memberIds']);
    }
    const chat = await this.chats.createWithMembers(
      { type: 'group', title, createdBy: auth.userId, directKey: null },
      [{ userId: auth.userId, role: 'owner' }, ...memberIds.map((userId) => ({ userId, role: 'member' as const }))],
    );
    const response = await this.view(auth, { ...chat!, myLastReadSeq: 0 });
    this.events.emit('chat.created', { chat: response, memberIds: [auth.userId, ...memberIds] });
    return { chat: response, created: true };
  }

  async list(auth: AuthContext, query: ChatListQueryDto = {}): Promise<ChatListResponseDto> {
    const term = query.q?.trim().toLowerCase();
    if (term) return { items: await this.views(await this.chats.searchForUser(auth.userId, term)), nextCursor: null };
    const cursor = query.cursor ? decodeChatCursor(query.cursor) : undefined;
    if (cursor === null) throw badRequest('cursor is not one this API handed out', ['cursor']);
    const limit = query.limit ?? CHAT_PAGE_DEFAULT;
    // One extra row tells whether another page exists.
    const rows = await this.chats.listForUser(auth.userId, { type: query.type, cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((chat) => toChatResponse({ chat, members: chat.members, lastMessage: chat.lastMessage, myLastReadSeq: chat.myLastReadSeq })),
      nextCursor: rows.length > limit && last ? encodeChatCursor(last.activityAt, last.id) : null,
    };
  }

  /**
   * A chat of type `inbox` for a bridged customer conversation. Its members are kept by the bridge (the channel's
   * operators and the admins), so no user owns it.
   */
  async createInboxThread(title: string, memberIds: string[]): Promise<ChatResponseDto> {
    const chat = await this.chats.createWithMembers(
      { type: 'inbox', title: title.slice(0, 128), createdBy: null, directKey: null },
      memberIds.map((userId) => ({ userId, role: 'member' as const })),
    );
    const [response] = await this.views([{ ...chat!, myLastReadSeq: 0 }]);
    this.events.emit('chat.created', { chat: response, memberIds });
    return response;
  }

  /** Makes an inbox thread's members exactly `memberIds`, announcing each change like any membership change. */
  async syncInboxMembers(chatId: string, memberIds: string[]): Promise<{ added: string[]; removed: string[] }> {
    const { added, removed, before } = await this.chats.syncMembers(chatId, [...new Set(memberIds)]);
    const now = [...new Set(memberIds)];
    for (const userId of removed) this.events.emit('member.removed', { chatId, userId, memberIds: before });
    for (const userId of added) this.events.emit('member.added', { chatId, userId, memberIds: now });
    return { added, removed };
  }

  /** A chat by id for code acting for the system (the bridge), as seen without a member's read marker. */
  async viewForSystem(chatId: string): Promise<ChatResponseDto | null> {
    const ids = await this.chats.memberIds(chatId);
    const viewer = ids[0];
    if (!viewer) return null;
    const chat = await this.chats.findForMember(chatId, viewer);
    if (!chat) return null;
    const [response] = await this.views([{ ...chat, myLastReadSeq: chat.lastMessageSeq }]);
    return response;
  }

  /** Views of chats as `userId` sees them (with their read markers), for lists built elsewhere (the inbox). */
  async viewsForUser(userId: string, chatIds: string[]): Promise<Map<string, ChatResponseDto>> {
    const rows = (await Promise.all(chatIds.map((id) => this.chats.findForMember(id, userId)))).filter((c) => c !== null);
    const views = await this.views(rows);
    return new Map(views.map((v) => [v.id, v]));
  }

  async get(auth: AuthContext, chatId: string): Promise<ChatResponseDto> {
    return this.view(auth, await this.requireMembership(auth, chatId));
  }

  async addMember(auth: AuthContext, chatId: string, dto: AddMemberDto): Promise<ChatResponseDto> {
    const chat = await this.requireMembership(auth, chatId);
    if (chat.type !== 'group') throw badRequest('members can be added to group chats only');
    await this.requireManager(auth, chatId);
    if (!(await this.users.findById(dto.userId))) throw notFound('User');
    const added = await this.chats.addMember(chatId, dto.userId, 'member');
    const response = await this.view(auth, chat);
    if (added) {
      const memberIds = response.members.map((m) => m.userId);
      this.events.emit('member.added', { chatId, userId: dto.userId, memberIds });
      this.events.emit('chat.updated', { chat: response, memberIds });
    }
    return response;
  }

  async removeMember(auth: AuthContext, chatId: string, userId: string): Promise<void> {
    const chat = await this.requireMembership(auth, chatId);
    if (userId !== auth.userId) {
      if (chat.type !== 'group') throw badRequest('members can be removed from group chats only');
      const me = await this.requireManager(auth, chatId);
      const target = await this.chats.findMember(chatId, userId);
      if (!target) throw notFound('Member');
      if (target.role === 'owner' || (target.role === 'admin' && me !== 'owner')) {
        throw forbidden('only the owner can remove an admin or the owner');
      }
    } else if (chat.type === 'direct') {
      throw badRequest('a direct chat cannot be left');
    }
    const before = await this.chats.memberIds(chatId);
    if (!(await this.chats.removeMember(chatId, userId))) throw notFound('Member');
    this.events.emit('member.removed', { chatId, userId, memberIds: before });
  }

  async markRead(auth: AuthContext, chatId: string, seq: number): Promise<number> {
    const result = await this.chats.markRead(chatId, auth.userId, seq);
    if (result === null) throw notFound('Chat');
    // A read that does not move the marker changes nothing anyone sees, so it is not fanned out.
    if (result.moved) this.events.emit('chat.read', { chatId, userId: auth.userId, seq: result.seq, memberIds: await this.chats.memberIds(chatId) });
    return result.seq;
  }

  /** Every chat route starts here: a non-member gets the same 404 as for a chat that does not exist. */
  async requireMembership(auth: AuthContext, chatId: string): Promise<ChatWithMembership> {
    const chat = await this.chats.findForMember(chatId, auth.userId);
    if (!chat) throw notFound('Chat');
    return chat;
  }

  private async requireManager(auth: AuthContext, chatId: string): Promise<MemberRole> {
    const me = await this.chats.findMember(chatId, auth.userId);
    if (!me || !MANAGERS.includes(me.role)) throw forbidden('only a group owner or admin can manage members');
    return me.role;
  }

  private async openDirect(auth: AuthContext, userId: string): Promise<{ chat: ChatResponseDto; created: boolean }> {
    if (userId === auth.userId) throw badRequest('userId must be another user', ['userId']);
    if (!(await this.users.findById(userId))) throw notFound('User');
    const directKey = directKeyOf(auth.userId, userId);
    let created = true;
    let chat: ChatEntity | null = await this.chats.createWithMembers(
      { type: 'direct', title: null, createdBy: auth.userId, directKey },
      [
        { userId: auth.userId, role: 'member' },
        { userId, role: 'member' },
      ],
    );
    if (!chat) {
      created = false;
      chat = await this.chats.findDirect(directKey);
      if (!chat) throw notFound('Chat');
    }
    const membership = await this.requireMembership(auth, chat.id);
    const response = await this.view(auth, membership);
    if (created) this.events.emit('chat.created', { chat: response, memberIds: [auth.userId, userId] });
    return { chat: response, created };
  }

  private async view(_auth: AuthContext, chat: ChatWithMembership): Promise<ChatResponseDto> {
    const [response] = await this.views([chat]);
    return response;
  }

  /** Response views of chats the caller is a member of (the rows carry the caller's read marker). */
  async views(chats: ChatWithMembership[]): Promise<ChatResponseDto[]> {
    const ids = chats.map((c) => c.id);
    const [members, lastMessages] = await Promise.all([this.chats.membersOf(ids), this.chats.lastMessages(chats)]);
    const membersByChat = new Map<string, typeof members>();
    for (const m of members) membersByChat.set(m.chatId, [...(membersByChat.get(m.chatId) ?? []), m]);
    const lastByChat = new Map(lastMessages.map((m) => [m.chatId, m]));
    return chats.map((chat) =>
      toChatResponse({
        chat,
        members: membersByChat.get(chat.id) ?? [],
        lastMessage: lastByChat.get(chat.id) ?? null,
        myLastReadSeq: chat.myLastReadSeq,
      }),
    );
  }
}
