import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import { ListThreadsQueryDto, ThreadDraftResponseDto, ThreadListResponseDto, ThreadResponseDto, UpdateThreadDto } from '@/modules/bridge/schemas/inbox.dto';
import { AiAgentService } from '@/modules/bridge/services/ai-agent.service';
import { InboxService } from '@/modules/bridge/services/inbox.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('inbox')
export class InboxController {
  constructor(
    private readonly service: InboxService,
    private readonly agent: AiAgentService,
  ) {}

  @Get('threads')
  @ApiOperation({ operationId: 'listInboxThreads', summary: 'Customer threads of the channels you work, newest activity first' })
  @ApiOkResponse({ type: ThreadListResponseDto })
  list(@Auth() auth: AuthContext, @Query() query: ListThreadsQueryDto): Promise<ThreadListResponseDto> {
    return this.service.list(auth, query);
  }

  @Patch('threads/:chatId')
  @ApiOperation({ operationId: 'updateInboxThread', summary: 'Change a thread\'s status or assignee' })
  @ApiOkResponse({ type: ThreadResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  update(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string, @Body() dto: UpdateThreadDto): Promise<ThreadResponseDto> {
    return this.service.update(auth, chatId, dto);
  }

  @Post('threads/:chatId/take-over')
  @HttpCode(200)
  @ApiOperation({ operationId: 'takeOverInboxThread', summary: 'Take the thread from the AI agent: owner human, status open, assigned to you if unassigned' })
  @ApiOkResponse({ type: ThreadResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  takeOver(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ThreadResponseDto> {
    return this.agent.takeOver(auth, chatId);
  }

  @Post('threads/:chatId/return-to-ai')
  @HttpCode(200)
  @ApiOperation({ operationId: 'returnInboxThreadToAi', summary: "Give the thread back to the channel's AI agent" })
  @ApiOkResponse({ type: ThreadResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: "The channel's AI agent is not enabled" })
  returnToAi(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ThreadResponseDto> {
    return this.agent.returnToAi(auth, chatId);
  }

  @Get('threads/:chatId/draft')
  @ApiOperation({ operationId: 'getInboxThreadDraft', summary: "The AI agent's draft answer for the thread (draft mode)" })
  @ApiOkResponse({ type: ThreadDraftResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  draft(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<ThreadDraftResponseDto> {
    return this.agent.draft(auth, chatId);
  }

  @Delete('threads/:chatId/draft')
  @HttpCode(204)
  @ApiOperation({ operationId: 'discardInboxThreadDraft', summary: "End the AI agent's draft (used or discarded)" })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such thread, or you do not work its channel' })
  discardDraft(@Auth() auth: AuthContext, @UuidParam('chatId') chatId: string): Promise<void> {
    return this.agent.discardDraft(auth, chatId);
  }
}
