import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Client, Public } from '@/api/auth.guard';
import { UuidParam } from '@/api/params';
import type { ClientInfo } from '@/core/auth';
import {
  CreateWidgetSessionDto,
  VisitorProfileDto,
  type VisitorClaims,
  VisitorResponseDto,
  WidgetHistoryQueryDto,
  WidgetMessageListDto,
  WidgetAttachmentUrlDto,
  WidgetSessionResponseDto,
  WidgetUploadDto,
  WIDGET_SOCKET_MODELS,
} from '@/modules/bridge/schemas/widget.dto';
import { AttachmentResponseDto, UploadResponseDto } from '@/schemas/attachment.dto';
import { WidgetService } from '@/modules/bridge/services/widget.service';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { Visitor, VisitorGuard } from './visitor.guard';

/** The website widget's routes: called cross-origin from the sites a web channel allows, with visitor tokens only. */
@ApiTags('widget')
@ApiExtraModels(...WIDGET_SOCKET_MODELS)
@Public()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('widget')
export class WidgetController {
  constructor(private readonly service: WidgetService) {}

  @Post(':channelId/sessions')
  @ApiOperation({
    operationId: 'openWidgetSession',
    summary: 'A visitor opens the widget: a new visitor, or the same one again with the token kept in localStorage',
  })
  @ApiCreatedResponse({ type: WidgetSessionResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'ORIGIN_NOT_ALLOWED: the page\'s Origin is not in the channel\'s allowedOrigins' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such web channel' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many sessions from this IP (Retry-After says when)' })
  open(
    @UuidParam('channelId') channelId: string,
    @Headers('origin') origin: string | undefined,
    @Client() client: ClientInfo,
    @Body() dto: CreateWidgetSessionDto,
  ): Promise<WidgetSessionResponseDto> {
    return this.service.openSession(channelId, origin, client, dto);
  }

  @Patch('sessions/me')
  @UseGuards(VisitorGuard)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'updateWidgetVisitor', summary: 'The visitor leaves a name and an e-mail address' })
  @ApiOkResponse({ type: VisitorResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid visitor token' })
  update(@Visitor() visitor: VisitorClaims, @Body() dto: VisitorProfileDto): Promise<VisitorResponseDto> {
    return this.service.updateProfile(visitor, dto);
  }

  @Get('threads/:threadId/messages')
  @UseGuards(VisitorGuard)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'listWidgetMessages', summary: 'The visitor\'s own conversation (never internal notes), oldest first' })
  @ApiOkResponse({ type: WidgetMessageListDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid visitor token' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Not this visitor\'s thread' })
  messages(@Visitor() visitor: VisitorClaims, @UuidParam('threadId') threadId: string, @Query() query: WidgetHistoryQueryDto): Promise<WidgetMessageListDto> {
    return this.service.history(visitor, threadId, query);
  }

  @Post('uploads')
  @UseGuards(VisitorGuard)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'createWidgetUpload', summary: 'The visitor uploads an image (≤ 10 MB) straight to storage, then sends it with message:send attachmentIds' })
  @ApiCreatedResponse({ type: UploadResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid visitor token' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'Over the visitor\'s upload quota' })
  upload(@Visitor() visitor: VisitorClaims, @Body() dto: WidgetUploadDto): Promise<UploadResponseDto> {
    return this.service.createUpload(visitor, dto);
  }

  @Post('uploads/:id/complete')
  @HttpCode(200)
  @UseGuards(VisitorGuard)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'completeWidgetUpload', summary: 'The file is in storage: checked (size, type from the bytes) and ready, or rejected with the reason' })
  @ApiOkResponse({ type: AttachmentResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Not this visitor\'s upload' })
  complete(@Visitor() visitor: VisitorClaims, @UuidParam('id') id: string): Promise<AttachmentResponseDto> {
    return this.service.completeUpload(visitor, id);
  }

  @Get('attachments/:id')
  @UseGuards(VisitorGuard)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'getWidgetAttachmentUrl', summary: 'A short-lived URL of a file in the visitor\'s own thread (never one of a note)' })
  @ApiOkResponse({ type: WidgetAttachmentUrlDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Not a file of this visitor\'s thread' })
  attachment(@Visitor() visitor: VisitorClaims, @UuidParam('id') id: string): Promise<WidgetAttachmentUrlDto> {
    return this.service.attachmentUrl(visitor, id);
  }
}
