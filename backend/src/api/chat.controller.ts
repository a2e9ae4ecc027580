import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { AddMemberDto, ChatListQueryDto, ChatListResponseDto, ChatResponseDto, CreateChatDto, MarkReadDto } from '@/schemas/chat.dto';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { ChatService } from '@/services/chat.service';
import { createdOrFound } from './reply';
import { Auth, Authenticated } from './auth.guard';
import { UuidParam } from './params';

@ApiTags('chats')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such chat, or you are not a member' })
@Controller('chats')
export class ChatController {
  constructor(private readonly service: ChatService) {}

  @Post()
  @ApiOperation({ operationId: 'createChat', summary: 'Open the direct chat with a person, or create a group' })
  @ApiCreatedResponse({ type: ChatResponseDto, description: 'Created' })
  @ApiOkResponse({ type: ChatResponseDto, description: 'The direct chat already existed' })
  async create(@Auth() auth: AuthContext, @Body() dto: CreateChatDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ChatResponseDto> {
    const result = await this.service.create(auth, dto);
    return createdOrFound(reply, result, result.chat);
  }

  @Get()
  @ApiOperation({ operationId: 'listChats', summary: 'Your chats, most recently active first, a page at a time (inbox threads only with ?type=inbox); with q, those whose title or member names match, best first' })
  @ApiOkResponse({ type: ChatListResponseDto })
  list(@Auth() auth: AuthContext, @Query() query: ChatListQueryDto): Promise<ChatListResponseDto> {
    return this.service.list(auth, query);
  }

  @Get(':chatId')
  @ApiOperation({ operationId: 'getChat' })
  @ApiOkResponse({ type: ChatResponseDto })
  get(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ChatResponseDto> {
    return this.service.get(auth, chatId);
  }

  @Post(':chatId/members')
  @HttpCode(200)
  @ApiOperation({ operationId: 'addChatMember', summary: 'Add a person to a group (owner or admin)' })
  @ApiOkResponse({ type: ChatResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  addMember(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @Body() dto: AddMemberDto): Promise<ChatResponseDto> {
    return this.service.addMember(auth, chatId, dto);
  }

  @Delete(':chatId/members/:userId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'removeChatMember', summary: 'Remove a member (owner or admin), or leave (your own id)' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  removeMember(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @UuidParam('userId') userId: string): Promise<void> {
    return this.service.removeMember(auth, chatId, userId);
  }

  @Post(':chatId/read')
  @HttpCode(204)
  @ApiOperation({ operationId: 'markChatRead', summary: 'Move your read marker forward' })
  @ApiNoContentResponse()
  async markRead(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @Body() dto: MarkReadDto): Promise<void> {
    await this.service.markRead(auth, chatId, dto.seq);
  }
}
