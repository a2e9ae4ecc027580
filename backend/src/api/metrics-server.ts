import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, type Server } from 'node:http';
import type { AppConfig } from '@/core/config';
import { HealthService } from '@/services/health.service';

/**
 * With METRICS_PORT set, Prometheus scrapes a separate listener (127.0.0.1 unless METRICS_HOST says otherwise) that
 * serves `/metrics` only; the public port then has no metrics at all.
 */
export async function startMetricsServer(app: NestFastifyApplication, config: AppConfig): Promise<Server | undefined> {
  const { port, host } = config.metrics;
  if (port <= 0) return undefined;
  const health = app.get(HealthService);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    health.metricsText().then(
      ({ contentType, body }) => response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  app.getHttpAdapter().getInstance().addHook('onClose', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}
