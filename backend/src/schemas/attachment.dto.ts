import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { ATTACHMENT_STATUSES, type AttachmentStatus, type MessageAttachmentRow } from '@/models/attachment.entity';

/** type/subtype with the characters RFC 6838 allows, no parameters. */
export const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** Raster formats browsers render safely inline; everything else (SVG included) is served as a download. */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'] as const;
export const isInlineImage = (contentType: string) => (INLINE_IMAGE_TYPES as readonly string[]).includes(contentType);

export const ATTACHMENT_PATH = '/api/v1/attachments';

/** Published in the spec (not used by any route), so clients take the inline rule from it instead of repeating it. */
export class InlineImageRuleDto {
  @ApiProperty({ enum: INLINE_IMAGE_TYPES, enumName: 'InlineImageType', description: 'Content types shown inline; every other file is a download' })
  contentType: (typeof INLINE_IMAGE_TYPES)[number];
}

export class CreateUploadDto {
  @ApiProperty({ format: 'uuid', description: 'The chat the file will be sent to' })
  @IsUUID('all', { message: 'chatId must be a UUID' })
  chatId: string;

  @ApiProperty({ minLength: 1, maxLength: 255, description: 'Shown to people and used when downloading; never part of the storage key' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  fileName: string;

  @ApiProperty({ example: 'image/png', maxLength: 255, description: 'The MIME type; checked against the bytes at completion' })
  @IsString()
  @MaxLength(255)
  @Matches(MIME_TYPE, { message: 'contentType must be a MIME type such as image/png' })
  contentType: string;

  @ApiProperty({ minimum: 1, description: 'Size in bytes; the stored object must match it exactly' })
  @IsInt({ message: 'size must be an integer number of bytes' })
  @Min(1)
  size: number;
}

export class UploadInstructionsDto {
  @ApiProperty({ enum: ['POST', 'PUT'], description: 'POST: a multipart form with `fields` first and the file last, in a field named "file"' })
  method: 'POST' | 'PUT';

  @ApiProperty({ description: 'Where to send the bytes (object storage, not this API)' })
  url: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Form fields to send before the file (POST)' })
  fields?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Headers to send (PUT)' })
  headers?: Record<string, string>;

  @ApiProperty({ format: 'date-time', description: 'The upload must start before this moment' })
  expiresAt: string;
}

export class AttachmentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ATTACHMENT_STATUSES, enumName: 'AttachmentStatus' })
  status: AttachmentStatus;

  @ApiProperty()
  fileName: string;

  @ApiProperty()
  contentType: string;

  @ApiProperty({ description: 'Bytes' })
  size: number;

  @ApiPropertyOptional({ description: 'Pixels, once known (images)' })
  width?: number;

  @ApiPropertyOptional()
  height?: number;

  @ApiProperty({ description: 'Same-origin link that redirects to a short-lived download URL (members only)' })
  url: string;

  @ApiPropertyOptional({ description: 'A WebP preview at most 320 px wide or high, once generated (images only)' })
  thumbnailUrl?: string;

  @ApiPropertyOptional({ description: 'Why the upload was rejected (status "rejected")' })
  reason?: string;
}

export class UploadResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ATTACHMENT_STATUSES, enumName: 'AttachmentStatus' })
  status: AttachmentStatus;

  @ApiProperty({ type: UploadInstructionsDto, description: 'How to send the bytes; any client can follow it generically' })
  upload: UploadInstructionsDto;

  @ApiProperty({ type: AttachmentResponseDto })
  attachment: AttachmentResponseDto;
}

type AttachmentLike = Pick<MessageAttachmentRow, 'id' | 'status' | 'fileName' | 'contentType' | 'size' | 'width' | 'height' | 'rejectReason'> & {
  hasThumbnail: boolean;
};

export const toAttachmentResponse = (a: AttachmentLike): AttachmentResponseDto => ({
  id: a.id,
  status: a.status,
  fileName: a.fileName,
  contentType: a.contentType,
  size: Number(a.size),
  ...(a.width != null && a.height != null ? { width: a.width, height: a.height } : {}),
  url: `${ATTACHMENT_PATH}/${a.id}`,
  ...(a.hasThumbnail ? { thumbnailUrl: `${ATTACHMENT_PATH}/${a.id}/thumbnail` } : {}),
  ...(a.status === 'rejected' && a.rejectReason ? { reason: a.rejectReason } : {}),
});

/** Payload of the `attachment:updated` socket event (for instance when a thumbnail becomes available). */
export class AttachmentUpdatedEventDto {
  @ApiProperty({ format: 'uuid' })
  chatId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The message carrying it; null while it is an unsent upload' })
  messageId: string | null;

  @ApiProperty({ type: AttachmentResponseDto })
  attachment: AttachmentResponseDto;
}
