import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCookieAuth, ApiExtraModels, ApiFoundResponse, ApiNotFoundResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { InlineImageRuleDto } from '@/schemas/attachment.dto';
import { AttachmentService } from '@/services/attachment.service';
import { Auth, Public } from './auth.guard';
import { MediaAuthGuard } from './media-auth.guard';
import { MEDIA_COOKIE } from './media-cookie';
import { UuidParam } from './params';

const REDIRECT = {
  description: 'Redirect to a presigned storage URL valid for at most 5 minutes',
  headers: { Location: { schema: { type: 'string' } }, 'X-Content-Type-Options': { schema: { type: 'string', enum: ['nosniff'] } } },
};

/** Opened by <img> tags and download links too, so a bearer token or the media cookie authenticates. */
@ApiTags('attachments')
@ApiExtraModels(InlineImageRuleDto)
@Public()
@UseGuards(MediaAuthGuard)
@ApiBearerAuth()
@ApiCookieAuth(MEDIA_COOKIE)
@ApiUnauthorizedResponse({ type: ErrorResponseDto })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such attachment, or you are not a member of its chat' })
@ApiConflictResponse({ type: ErrorResponseDto, description: 'Not ready (pending or rejected)' })
@Controller('attachments')
export class AttachmentController {
  constructor(private readonly service: AttachmentService) {}

  @Get(':id')
  @ApiOperation({ operationId: 'getAttachment', summary: 'The file: images inline, anything else as a download' })
  @ApiFoundResponse(REDIRECT)
  async get(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    this.redirect(reply, await this.service.downloadUrl(auth.userId, id, 'original'));
  }

  @Get(':id/thumbnail')
  @ApiOperation({ operationId: 'getAttachmentThumbnail', summary: 'The WebP preview (at most 320 px) of an image' })
  @ApiFoundResponse(REDIRECT)
  async thumbnail(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    this.redirect(reply, await this.service.downloadUrl(auth.userId, id, 'thumbnail'));
  }

  private redirect(reply: FastifyReply, url: string): void {
    // A browser may reuse the redirect briefly; the target itself stays valid a little longer than that.
    void reply.header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'private, max-age=60').redirect(url, 302);
  }
}
