import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Authenticated } from '@/api/auth.guard';
import type { AuthContext } from '@/core/auth';
import { AlertSettingsDto, UpdateAlertSettingsDto } from '@/modules/bridge/schemas/alert.dto';
import { AlertService } from '@/modules/bridge/services/alert.service';
import { ErrorResponseDto } from '@/schemas/common.dto';

@ApiTags('users')
@Authenticated()
@Controller('users/me/alert-settings')
export class AlertSettingsController {
  constructor(private readonly service: AlertService) {}

  @Get()
  @ApiOperation({ operationId: 'getAlertSettings', summary: 'Your Telegram alert card settings' })
  @ApiOkResponse({ type: AlertSettingsDto })
  get(@Auth() auth: AuthContext): Promise<AlertSettingsDto> {
    return this.service.settings(auth);
  }

  @Patch()
  @ApiOperation({ operationId: 'updateAlertSettings', summary: 'Choose which threads send you alert cards, or mute them' })
  @ApiOkResponse({ type: AlertSettingsDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  update(@Auth() auth: AuthContext, @Body() dto: UpdateAlertSettingsDto): Promise<AlertSettingsDto> {
    return this.service.updateSettings(auth, dto);
  }
}
