import { ApiProperty } from '@nestjs/swagger';

export class WebhookAckDto {
  @ApiProperty()
  ok: boolean;
}
