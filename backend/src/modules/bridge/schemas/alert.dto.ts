import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ALERT_THREAD_SCOPES, type AlertSettingsRow, type AlertThreadScope } from '@/modules/bridge/models/alert.model';

export class AlertSettingsDto {
  @ApiProperty({
    enum: ALERT_THREAD_SCOPES,
    enumName: 'AlertThreadScope',
    description: 'Alert cards for threads assigned to you, or also for unassigned threads of the channels you work',
  })
  threads: AlertThreadScope;

  @ApiProperty({ description: 'No alert cards at all while true' })
  muted: boolean;
}

export class UpdateAlertSettingsDto {
  @ApiPropertyOptional({ enum: ALERT_THREAD_SCOPES, enumName: 'AlertThreadScope' })
  @IsOptional()
  @IsIn(ALERT_THREAD_SCOPES, { message: 'threads must be "assigned" or "assigned+unassigned"' })
  threads?: AlertThreadScope;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'muted must be true or false' })
  muted?: boolean;
}

export const toAlertSettings = (row: AlertSettingsRow): AlertSettingsDto => ({ threads: row.threads, muted: row.muted });
