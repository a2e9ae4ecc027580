import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { MEMBER_ROLES, type ChatMemberEntity, type MemberRole } from '@/models/chat-member.entity';
import type { ChatEntity } from '@/models/chat.entity';
import type { MessageRow } from '@/models/message.entity';
import { MessageResponseDto, toMessageResponse } from './message.dto';
import { PublicUserDto } from './user.dto';

export const GROUP_MAX_MEMBERS = 1000;

/** One body for both kinds so that validation can name the field that is wrong for the chosen type. */
export class CreateChatDto {
  @ApiProperty({ enum: ['direct', 'group'] })
  @IsIn(['direct', 'group'], { message: 'type must be "direct" or "group"' })
  type: 'direct' | 'group';

  @ApiPropertyOptional({ format: 'uuid', description: 'direct: the other person' })
  @ValidateIf((o: CreateChatDto) => o.type === 'direct')
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'group: the title' })
  @ValidateIf((o: CreateChatDto) => o.type === 'group')
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  title?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'group: the other members' })
  @ValidateIf((o: CreateChatDto) => o.type === 'group')
  @IsArray()
  @ArrayMaxSize(GROUP_MAX_MEMBERS - 1)
  @IsUUID('all', { each: true, message: 'each value in memberIds must be a UUID' })
  memberIds?: string[];
}

export class AddMemberDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  userId: string;
}

export class MarkReadDto {
  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  seq: number;
}

export class ChatMemberDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ enum: MEMBER_ROLES, enumName: 'MemberRole' })
  role: MemberRole;

  @ApiProperty({ format: 'date-time' })
  joinedAt: string;

  @ApiProperty()
  lastReadSeq: number;

  @ApiProperty({ type: PublicUserDto })
  user: PublicUserDto;
}

export class ChatResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['direct', 'group', 'inbox'], enumName: 'ChatType' })
  type: 'direct' | 'group' | 'inbox';

  @ApiProperty({ nullable: true, type: String })
  title: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  createdBy: string | null;

  @ApiProperty({ description: 'seq of the newest message, 0 when empty' })
  lastMessageSeq: number;

  @ApiProperty({ type: [ChatMemberDto] })
  members: ChatMemberDto[];

  @ApiProperty({ nullable: true, type: () => MessageResponseDto })
  lastMessage: MessageResponseDto | null;

  @ApiProperty({ description: 'Messages after your last read seq' })
  unreadCount: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export const CHAT_PAGE_DEFAULT = 100;
export const CHAT_PAGE_MAX = 500;

export class ChatListQueryDto {
  @ApiPropertyOptional({
    maxLength: 64,
    description: "Only chats whose title, or a member's name, contains or resembles this (trigram similarity: a typo or part of a name matches); the best matches first, in one page",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;

  @ApiPropertyOptional({ enum: ['direct', 'group', 'inbox'], description: 'Only chats of this type; without it, every chat except inbox threads' })
  @IsOptional()
  @IsIn(['direct', 'group', 'inbox'], { message: 'type must be "direct", "group" or "inbox"' })
  type?: 'direct' | 'group' | 'inbox';

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: CHAT_PAGE_MAX, default: CHAT_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CHAT_PAGE_MAX)
  limit?: number;
}

export class ChatListResponseDto {
  @ApiProperty({ type: [ChatResponseDto] })
  items: ChatResponseDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

/** Opaque to clients: the last row's activity time and id. */
export const encodeChatCursor = (at: Date | string, id: string) => Buffer.from(`${new Date(at).toISOString()}|${id}`).toString('base64url');
export const decodeChatCursor = (cursor: string): { at: Date; id: string } | null => {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  return id && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(date.getTime()) ? { at: date, id } : null;
};

export interface ChatView {
  chat: Pick<ChatEntity, 'id' | 'type' | 'title' | 'createdBy' | 'lastMessageSeq' | 'createdAt' | 'updatedAt'>;
  members: Array<Omit<ChatMemberEntity, 'chatId' | 'joinedAt'> & { joinedAt: Date | string; user: PublicUserDto }>;
  lastMessage: MessageRow | null;
  myLastReadSeq: number;
}

export const toChatResponse = ({ chat, members, lastMessage, myLastReadSeq }: ChatView): ChatResponseDto => ({
  id: chat.id,
  type: chat.type,
  title: chat.title,
  createdBy: chat.createdBy,
  lastMessageSeq: chat.lastMessageSeq,
  members: members.map((m) => ({
    userId: m.userId,
    role: m.role,
    joinedAt: new Date(m.joinedAt).toISOString(),
    lastReadSeq: m.lastReadSeq,
    user: m.user,
  })),
  lastMessage: lastMessage ? toMessageResponse(lastMessage) : null,
  // The sender's marker moves with each send, so this counts only other people's messages.
  unreadCount: Math.max(0, chat.lastMessageSeq - myLastReadSeq),
  createdAt: new Date(chat.createdAt).toISOString(),
  updatedAt: new Date(chat.updatedAt).toISOString(),
});
