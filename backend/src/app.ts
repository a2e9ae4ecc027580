import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startMetricsServer } from '@/api/metrics-server';
import { mountQueueBoard } from '@/api/queue-board';
import { serveSpa } from '@/api/spa';
import { AppModule, httpLogOptions } from '@/app.module';
import { mountWidgetHttp, takesRawBody } from '@/modules/bridge/bridge.module';
import type { AppConfig } from '@/core/config';
import { runMigrations } from '@/core/database/migrate';
import { jsonLimitViolation, type JsonLimits } from '@/core/json-limits';
import { validationPipe } from '@/core/validation';
import { HealthService } from '@/services/health.service';
import { LeanIoAdapter } from '@/ws/lean-io.adapter';
import { msToSeconds } from '@/core/time';

export const API_PREFIX = 'api/v1';
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export { validationPipe };

export function buildAdapter(config: Pick<AppConfig, 'bodyLimitBytes' | 'trustProxy'>): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A well-formed incoming X-Request-Id is kept so one id follows a request across services.
    genReqId: (req: IncomingMessage) => {
      const header = req.headers['x-request-id'];
      const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      req.id = id;
      return id;
    },
    routerOptions: { maxParamLength: 200 },
  });
}

export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Messenger API')
    .setDescription('Chats, messages and accounts. Realtime events travel over socket.io at the same origin.')
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

/**
 * Replaces Fastify's JSON parser with one that first checks depth and size in one cheap pass, so a hostile body is
 * a 400 naming the limit instead of seconds of event-loop time; within the bounds Fastify's own (prototype-safe)
 * parser runs as before. Webhook routes get the raw string: they check their secret first and parse after.
 */
type Fastify = ReturnType<ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance']>;

function boundJsonBodies(fastify: Fastify, limits: JsonLimits): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (takesRawBody(request.url)) return done(null, body);
    const violation = jsonLimitViolation(body as string, limits);
    if (violation) return done(Object.assign(new Error(`request body refused: ${violation}`), { statusCode: 400 }), undefined);
    return parseJson(request, body as string, done);
  });
}

/** Builds the application (not listening yet): same wiring for `pnpm start`, the tests and the spec generator. */
export async function createApp(config: AppConfig, options: { preview?: boolean } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), buildAdapter(config), {
    bufferLogs: true,
    preview: options.preview,
    abortOnError: false,
    // The API speaks JSON only: Fastify's own parser handles it, and a form post (which a foreign page can send
    // without a preflight) is refused with 415 instead of being read as a body.
    bodyParser: false,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'metrics'] });
  app.useWebSocketAdapter(new LeanIoAdapter(app, config.json));
  app.useGlobalPipes(validationPipe);
  if (options.preview) return app;

  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await runMigrations(app.get(DataSource));

  const fastify = app.getHttpAdapter().getInstance();
  // Every request is logged (and gets req.log) here rather than by nestjs-pino's middleware; see AppModule.
  const httpLog = pinoHttp(httpLogOptions(config));
  fastify.addHook('onRequest', (request, reply, done) => {
    httpLog(request.raw, reply.raw);
    done();
  });
  boundJsonBodies(fastify, config.json);
  const health = app.get(HealthService);
  const secureCookies = config.env === 'production';
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('Referrer-Policy', 'no-referrer');
    // Only over https: on plain http the header is ignored and would wrongly claim the origin speaks TLS.
    if (request.protocol === 'https') void reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  });
  // Cookie helpers read this, so NODE_ENV=production marks every cookie Secure even when TLS ends at a proxy.
  fastify.decorateRequest('secureCookies', secureCookies);
  fastify.addHook('onResponse', async (request, reply) => {
    health.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, msToSeconds(reply.elapsedTime));
  });
  await mountQueueBoard(app);
  mountWidgetHttp(app, config.widgetScript ?? join(__dirname, '..', '..', 'frontend', 'widget', 'dist', 'widget.js'));
  await startMetricsServer(app, config);

  const staticDir = config.staticDir ?? join(__dirname, '..', '..', 'frontend', 'dist');
  if (existsSync(join(staticDir, 'index.html'))) {
    serveSpa(app, staticDir, config.storage.publicEndpoint ? new URL(config.storage.publicEndpoint).origin : undefined);
  }
  return app;
}
