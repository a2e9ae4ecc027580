import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { REALTIME_MODELS } from '@/schemas/realtime.dto';
import { SyncQueryDto, SyncResponseDto } from '@/schemas/sync.dto';
import { SyncService } from '@/services/sync.service';
import { Auth, Authenticated } from './auth.guard';

@ApiTags('sync')
@Authenticated()
// The socket.io payloads have no HTTP route; publishing them here puts their types in the generated client.
@ApiExtraModels(...REALTIME_MODELS)
@Controller('sync')
export class SyncController {
  constructor(private readonly service: SyncService) {}

  @Get()
  @ApiOperation({
    operationId: 'sync',
    summary: 'Everything that changed in your chats since a cursor: messages, edits, deletes, chats joined, changed or left',
    description:
      'Call without `since` to get a cursor for "now" (before loading chats), then with the returned cursor after every reconnect; ' +
      'repeat at once while `hasMore`. Changes of transactions still running are held back until they finish, so none is skipped.',
  })
  @ApiOkResponse({ type: SyncResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'since is not a cursor this server issued' })
  sync(@Auth() auth: AuthContext, @Query() query: SyncQueryDto): Promise<SyncResponseDto> {
    return this.service.changes(auth, query);
  }
}
