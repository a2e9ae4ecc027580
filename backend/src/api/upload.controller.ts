import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@/core/auth';
import { AttachmentResponseDto, CreateUploadDto, UploadResponseDto } from '@/schemas/attachment.dto';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { AttachmentService } from '@/services/attachment.service';
import { Auth, Authenticated } from './auth.guard';
import { UuidParam } from './params';

@ApiTags('attachments')
@Authenticated()
@ApiBadRequestResponse({ type: ErrorResponseDto })
@Controller('uploads')
export class UploadController {
  constructor(private readonly service: AttachmentService) {}

  @Post()
  @ApiOperation({
    operationId: 'createUpload',
    summary: 'Reserve an attachment in a chat and get a presigned upload: send the bytes to object storage, then call complete',
  })
  @ApiCreatedResponse({ type: UploadResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such chat, or you are not a member' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'Over the size limit or your upload quota' })
  create(@Auth() auth: AuthContext, @Body() dto: CreateUploadDto): Promise<UploadResponseDto> {
    return this.service.createUpload(auth.userId, dto);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'completeUpload',
    summary: 'Verify the uploaded object (exact size, type read from its bytes): "ready", or "rejected" with a reason and the object deleted',
  })
  @ApiOkResponse({ type: AttachmentResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such upload of yours' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Nothing was uploaded yet' })
  complete(@Auth() auth: AuthContext, @UuidParam('id') id: string): Promise<AttachmentResponseDto> {
    return this.service.complete(auth.userId, id);
  }
}
