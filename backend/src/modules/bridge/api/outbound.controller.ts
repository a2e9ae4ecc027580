import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { MessageResponseDto } from '@/schemas/message.dto';
import { OutboundService } from '@/modules/bridge/services/outbound.service';

@ApiTags('inbox')
@Authenticated()
@Controller()
export class OutboundController {
  constructor(private readonly outbound: OutboundService) {}

  @Post('messages/:id/redeliver')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'redeliverMessage',
    summary: 'Send a thread message whose delivery is failed or unknown again, on purpose (an unknown one may reach the customer twice)',
  })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message, its delivery queued again' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such message, or you do not work its thread' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The message has no delivery, or it is not failed or unknown' })
  redeliver(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<MessageResponseDto> {
    return this.outbound.redeliver(auth, id);
  }
}
