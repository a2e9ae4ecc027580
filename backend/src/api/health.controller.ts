import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthResponseDto } from '@/schemas/health.dto';
import { HealthService } from '@/services/health.service';
import { Public } from './auth.guard';
import { MetricsGuard } from './metrics.guard';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly service: HealthService) {}

  @Get('health')
  @ApiOperation({ operationId: 'getHealth', summary: 'PostgreSQL and Redis reachability' })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({ type: HealthResponseDto })
  @Header('Cache-Control', 'no-store')
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    const health = await this.service.check();
    void reply.status(health.status === 'ok' ? 200 : 503);
    return health;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @UseGuards(MetricsGuard)
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.service.metricsText();
    void reply.header('Content-Type', contentType).send(body);
  }
}
