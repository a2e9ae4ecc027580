import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import { ListThreadsQueryDto, ThreadListResponseDto, ThreadResponseDto, UpdateThreadDto } from '@/modules/bridge/schemas/inbox.dto';
import { InboxService } from '@/modules/bridge/services/inbox.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

@ApiTags('inbox')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('inbox')
export class InboxController {
  constructor(private readonly service: InboxService) {}

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
}
