import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Options as HttpLogOptions } from 'pino-http';
import { AdminController } from '@/api/admin.controller';
import { AttachmentController } from '@/api/attachment.controller';
import { AuthController } from '@/api/auth.controller';
import { JwtAuthGuard, JwtStrategy } from '@/api/auth.guard';
import { ChatController } from '@/api/chat.controller';
import { HealthController } from '@/api/health.controller';
import { HttpExceptionFilter } from '@/api/http-exception.filter';
import { MediaAuthGuard } from '@/api/media-auth.guard';
import { MessageController } from '@/api/message.controller';
import { MetricsGuard } from '@/api/metrics.guard';
import { PresenceController } from '@/api/presence.controller';
import { SearchController } from '@/api/search.controller';
import { SyncController } from '@/api/sync.controller';
import { UploadController } from '@/api/upload.controller';
import { UserController } from '@/api/user.controller';
import { APP_CONFIG, type AppConfig } from '@/core/config';
import { dataSourceOptions } from '@/core/database/data-source';
import { JOB_HANDLERS, JOB_QUEUES, type JobHandler } from '@/core/jobs';
import { MessageHookRegistry } from '@/core/message-hooks';
import { entities } from '@/models';
import { BridgeModule, redactWebhookUrl } from '@/modules/bridge/bridge.module';
import { AttachmentRepository } from '@/repositories/attachment.repository';
import { ChatRepository } from '@/repositories/chat.repository';
import { CryptoRepository } from '@/repositories/crypto.repository';
import { DatabaseRepository } from '@/repositories/database.repository';
import { DigestRepository } from '@/repositories/digest.repository';
import { EventRepository } from '@/repositories/event.repository';
import { JobRepository } from '@/repositories/job.repository';
import { MailRepository } from '@/repositories/mail.repository';
import { MediaRepository } from '@/repositories/media.repository';
import { MessageRepository } from '@/repositories/message.repository';
import { MetricsRepository } from '@/repositories/metrics.repository';
import { PresenceRepository } from '@/repositories/presence.repository';
import { RateLimitRepository } from '@/repositories/rate-limit.repository';
import { RedisRepository } from '@/repositories/redis.repository';
import { RefreshTokenRepository } from '@/repositories/refresh-token.repository';
import { ScheduledMessageRepository } from '@/repositories/scheduled-message.repository';
import { SearchRepository } from '@/repositories/search.repository';
import { StorageRepository } from '@/repositories/storage.repository';
import { SyncRepository } from '@/repositories/sync.repository';
import { UserRepository } from '@/repositories/user.repository';
import { WebsocketRepository } from '@/repositories/websocket.repository';
import { AttachmentService } from '@/services/attachment.service';
import { AuthService } from '@/services/auth.service';
import { ChatService } from '@/services/chat.service';
import { DigestService } from '@/services/digest.service';
import { HealthService } from '@/services/health.service';
import { JobService } from '@/services/job.service';
import { MessageService } from '@/services/message.service';
import { PresenceService } from '@/services/presence.service';
import { RealtimeService } from '@/services/realtime.service';
import { ScheduledMessageService } from '@/services/scheduled-message.service';
import { SearchService } from '@/services/search.service';
import { SyncService } from '@/services/sync.service';
import { UserService } from '@/services/user.service';
import { processors } from '@/workers';
import { ChatGateway } from '@/ws/chat.gateway';

export const repositories = [
  AttachmentRepository,
  ChatRepository,
  CryptoRepository,
  DatabaseRepository,
  DigestRepository,
  EventRepository,
  JobRepository,
  MailRepository,
  MediaRepository,
  MessageRepository,
  MetricsRepository,
  PresenceRepository,
  RateLimitRepository,
  RedisRepository,
  RefreshTokenRepository,
  ScheduledMessageRepository,
  SearchRepository,
  StorageRepository,
  SyncRepository,
  UserRepository,
  WebsocketRepository,
];

export const services = [AttachmentService, AuthService, ChatService, DigestService, HealthService, JobService, MessageService, PresenceService, RealtimeService, ScheduledMessageService, SearchService, SyncService, UserService];

export const gateways = [ChatGateway];

export const controllers = [AuthController, UserController, PresenceController, ChatController, MessageController, SyncController, UploadController, AttachmentController, AdminController, HealthController, SearchController];

/** Request logging: the request id, method and redacted URL, status, and never a token or cookie. */
export function httpLogOptions(config: Pick<AppConfig, 'logLevel'>): HttpLogOptions {
  return {
    level: config.logLevel,
    genReqId: (req: IncomingMessage) => req.id ?? randomUUID(),
    // Secrets never reach the log: tokens travel in headers and bodies, and bodies are not logged.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactWebhookUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  };
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          // No route gets nestjs-pino's middleware: it binds each request's logger with AsyncLocalStorage, which on
          // Node 20 turns promise hooks on for the whole process, socket path included (~30–50 µs per message).
          // Requests are logged by pino-http from a Fastify hook instead (see createApp), without that binding.
          forRoutes: [],
          pinoHttp: httpLogOptions(config),
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.database.url, config.database.poolMax, config.database.connectTimeoutMs, config.database.idleTimeoutMs)),
        TypeOrmModule.forFeature(entities),
        PassportModule,
        JwtModule.register({}),
      ],
      controllers: [...controllers, ...BridgeModule.controllers],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        JwtStrategy,
        ...repositories,
        ...services,
        ...gateways,
        ...processors,
        { provide: JOB_QUEUES, useFactory: (jobs: JobRepository) => () => jobs.allQueues(), inject: [JobRepository] },
        ...BridgeModule.repositories,
        ...BridgeModule.services,
        ...BridgeModule.gateways,
        ...BridgeModule.processors,
        // Every job handler, the messenger's and the modules', reaches the job system through this token.
        { provide: JOB_HANDLERS, useFactory: (...handlers: JobHandler[]) => handlers, inject: [...processors, ...BridgeModule.processors] },
        MediaAuthGuard,
        MetricsGuard,
        MessageHookRegistry,
      ],
    };
  }
}
