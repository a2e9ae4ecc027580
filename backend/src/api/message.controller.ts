import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { EditMessageDto, ListMessagesQueryDto, MessageListResponseDto, MessageResponseDto, SendMessageDto } from '@/schemas/message.dto';
import { HealthService } from '@/services/health.service';
import { MessageService } from '@/services/message.service';
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
    private readonly health: HealthService,
  ) {}

  @Post('chats/:chatId/messages')
  @ApiOperation({ operationId: 'sendMessage', summary: 'Send a message; the same clientId again returns the stored one' })
  @ApiCreatedResponse({ type: MessageResponseDto })
  @ApiOkResponse({ type: MessageResponseDto, description: 'Already stored under this clientId' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  async send(
    @Auth() auth: AuthContext,
    @UuidParam('chatId') chatId: string,
    @Body() dto: SendMessageDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageResponseDto> {
    const { message, created } = await this.service.send(auth, chatId, dto);
    if (created) this.health.countMessageCreated('http');
    void reply.status(created ? 201 : 200);
    return message;
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
