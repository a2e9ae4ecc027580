import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { AuthContext } from '@/core/auth';
import {
  ChannelListResponseDto,
  ChannelResponseDto,
  CreateChannelDto,
  SetChannelOperatorsDto,
  SyncAcceptedDto,
  UpdateChannelDto,
} from '@/modules/bridge/schemas/channel.dto';
import { ChannelService } from '@/modules/bridge/services/channel.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

@ApiTags('channels')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such channel, or you do not work it' })
@Controller('channels')
export class ChannelController {
  constructor(private readonly service: ChannelService) {}

  @Post()
  @ApiOperation({ operationId: 'createChannel', summary: 'Admins: connect a Telegram bot or an Avito account' })
  @ApiCreatedResponse({ type: ChannelResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'The provider refused the credentials (the field is named), or PUBLIC_URL is not set' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The provider could not be reached' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateChannelDto): Promise<ChannelResponseDto> {
    return this.service.create(auth, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listChannels', summary: 'Channels you work (every channel for admins)' })
  @ApiOkResponse({ type: ChannelListResponseDto })
  list(@Auth() auth: AuthContext): Promise<ChannelListResponseDto> {
    return this.service.list(auth);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getChannel' })
  @ApiOkResponse({ type: ChannelResponseDto })
  get(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<ChannelResponseDto> {
    return this.service.get(auth, id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateChannel', summary: 'Admins: rename, or replace the credentials (checked again, webhook registered again)' })
  @ApiOkResponse({ type: ChannelResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto })
  update(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: UpdateChannelDto): Promise<ChannelResponseDto> {
    return this.service.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteChannel', summary: 'Admins: disconnect (the webhook is unregistered; threads stay readable)' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  delete(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<void> {
    return this.service.delete(auth, id);
  }

  @Put(':id/operators')
  @ApiOperation({ operationId: 'setChannelOperators', summary: 'Admins: who works the channel (admins always may)' })
  @ApiOkResponse({ type: ChannelResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  setOperators(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: SetChannelOperatorsDto): Promise<ChannelResponseDto> {
    return this.service.setOperators(auth, id, dto);
  }

  @Post(':id/sync')
  @HttpCode(202)
  @ApiOperation({ operationId: 'syncChannel', summary: 'Admins: run reconciliation now (fetch what webhooks missed)' })
  @ApiAcceptedResponse({ type: SyncAcceptedDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  sync(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<SyncAcceptedDto> {
    return this.service.sync(auth, id);
  }
}
