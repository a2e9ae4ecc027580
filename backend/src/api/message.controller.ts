import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { EditMessageDto, ListMessagesQueryDto, MessageListResponseDto, MessageResponseDto } from '@/schemas/message.dto';
import {
  PostMessageDto,
  ScheduledMessageListResponseDto,
  ScheduledMessageResponseDto,
  UpdateScheduledMessageDto,
} from '@/schemas/scheduled-message.dto';
import { HealthService } from '@/services/health.service';
import { MessageService } from '@/services/message.service';
import { ScheduledMessageService } from '@/services/scheduled-message.service';
import { createdOrFound } from './reply';
import { Auth, Authenticated } from './auth.guard';
import { UuidParam } from './params';

@ApiTags('messages')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such chat or message, or you are not a member' })
@Controller()
export class MessageController {
  constructor(
    private readonly service: MessageService,
    private readonly scheduled: ScheduledMessageService,
    private readonly health: HealthService,
  ) {}

  @Post('chats/:chatId/messages')
  @ApiOperation({
    operationId: 'sendMessage',
    summary: 'Send a message, or with sendAt schedule it; the same clientId again returns the stored one',
  })
  @ApiCreatedResponse({ type: MessageResponseDto })
  @ApiOkResponse({ type: MessageResponseDto, description: 'Already stored under this clientId' })
  @ApiAcceptedResponse({ type: ScheduledMessageResponseDto, description: 'Scheduled (sendAt was given), also when repeated with the same clientId' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  async send(
    @Auth() auth: AuthContext,
    @UuidParam('chatId') chatId: string,
    @Body() dto: PostMessageDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageResponseDto | ScheduledMessageResponseDto> {
    if (dto.sendAt !== undefined) {
      void reply.status(202);
      return (await this.scheduled.schedule(auth, chatId, { ...dto, sendAt: dto.sendAt })).scheduled;
    }
    const result = await this.service.send(auth, chatId, dto);
    if (result.created) this.health.countMessageCreated('http');
    return createdOrFound(reply, result, result.message);
  }

  @Get('chats/:chatId/scheduled')
  @ApiOperation({ operationId: 'listScheduledMessages', summary: 'Your messages waiting to be sent in this chat (nobody else sees them)' })
  @ApiOkResponse({ type: ScheduledMessageListResponseDto })
  listScheduled(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ScheduledMessageListResponseDto> {
    return this.scheduled.list(auth, chatId);
  }

  @Patch('chats/:chatId/scheduled/:id')
  @ApiOperation({ operationId: 'updateScheduledMessage', summary: 'Change the text or the time of your scheduled message before it goes' })
  @ApiOkResponse({ type: ScheduledMessageResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already sent' })
  updateScheduled(
    @Auth() auth: AuthContext,
    @UuidParam('chatId') chatId: string,
    @UuidParam('id') id: string,
    @Body() dto: UpdateScheduledMessageDto,
  ): Promise<ScheduledMessageResponseDto> {
    return this.scheduled.update(auth, chatId, id, dto);
  }

  @Delete('chats/:chatId/scheduled/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'cancelScheduledMessage', summary: 'Cancel your scheduled message before it goes' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Already sent' })
  cancelScheduled(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @UuidParam('id') id: string): Promise<void> {
    return this.scheduled.cancel(auth, chatId, id);
  }

  @Get('chats/:chatId/messages')
  @ApiOperation({
    operationId: 'listMessages',
    summary: 'Page through history: newest first, or `before` a seq (older, newest first), or `after` a seq (newer, oldest first)',
  })
  @ApiOkResponse({ type: MessageListResponseDto })
  list(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @Query() query: ListMessagesQueryDto): Promise<MessageListResponseDto> {
    return this.service.list(auth, chatId, query);
  }

  @Patch('messages/:id')
  @ApiOperation({ operationId: 'editMessage', summary: 'Edit your own message' })
  @ApiOkResponse({ type: MessageResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  edit(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: EditMessageDto): Promise<MessageResponseDto> {
    return this.service.edit(auth, id, dto);
  }

  @Delete('messages/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteMessage', summary: 'Delete your message (or any, as a group admin); the text is no longer served' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto })
  delete(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<void> {
    return this.service.delete(auth, id);
  }
}
