import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { PresenceListResponseDto, PresenceQueryDto } from '@/schemas/presence.dto';
import { PresenceService } from '@/services/presence.service';
import { Auth, Authenticated } from './auth.guard';

@ApiTags('users')
@Authenticated()
@Controller('users')
export class PresenceController {
  constructor(private readonly service: PresenceService) {}

  @Get('presence')
  @ApiOperation({
    operationId: 'getPresence',
    summary: 'Online state and last seen time of people you share a chat with (changes then arrive as `presence` socket events)',
  })
  @ApiOkResponse({ type: PresenceListResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  get(@Auth() auth: AuthContext, @Query() query: PresenceQueryDto): Promise<PresenceListResponseDto> {
    return this.service.lookup(auth, query.ids);
  }
}
