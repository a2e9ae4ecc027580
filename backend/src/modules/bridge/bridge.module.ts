import { NotificationsKeyGuard } from './api/api-key.guard';
import { AlertSettingsController } from './api/alert-settings.controller';
import { AlertRepository } from './repositories/alert.repository';
import { AlertService } from './services/alert.service';
import { ChannelController } from './api/channel.controller';
import { TelegramAuthController, TelegramLinkController } from './api/telegram-link.controller';
import { TelegramLoginRepository } from './repositories/telegram-login.repository';
import { TelegramLinkService } from './services/telegram-link.service';
import { ApiKeyController, NotificationController } from './api/notification.controller';
import { InboxController } from './api/inbox.controller';
import { OutboundController } from './api/outbound.controller';
import { WebhookController } from './api/webhook.controller';
import { VisitorGuard } from './api/visitor.guard';
import { WidgetController } from './api/widget.controller';
import { VisitorTokenRepository } from './repositories/visitor-token.repository';
import { WidgetSocketRepository } from './repositories/widget-socket.repository';
import { WidgetService } from './services/widget.service';
import { WidgetPushService } from './services/widget-push.service';
import { WidgetGateway } from './ws/widget.gateway';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { NotificationRepository } from './repositories/notification.repository';
import { CannedResponseController, ContactController, InboxDeskController, LabelController } from './api/desk.controller';
import { AssignmentRepository } from './repositories/assignment.repository';
import { CollisionRepository } from './repositories/collision.repository';
import { ContactRepository } from './repositories/contact.repository';
import { InboxStatsRepository } from './repositories/inbox-stats.repository';
import { LabelRepository } from './repositories/label.repository';
import { SnoozeRepository } from './repositories/snooze.repository';
import { ViewerRepository } from './repositories/viewer.repository';
import { AutoAssignService } from './services/auto-assign.service';
import { CannedResponseService } from './services/canned-response.service';
import { CollisionService } from './services/collision.service';
import { ContactService } from './services/contact.service';
import { InboxStatsService } from './services/inbox-stats.service';
import { LabelService } from './services/label.service';
import { SnoozeService } from './services/snooze.service';
import { ViewerService } from './services/viewer.service';
import { SnoozeWakeProcessor } from './workers/snooze-wake.processor';
import { AvitoApiRepository } from './repositories/avito-api.repository';
import { BridgeLockRepository } from './repositories/bridge-lock.repository';
import { ChannelRepository } from './repositories/channel.repository';
import { DeliveryMetricsRepository } from './repositories/delivery-metrics.repository';
import { DeliveryRepository } from './repositories/delivery.repository';
import { InboundEventRepository } from './repositories/inbound-event.repository';
import { InboxRepository } from './repositories/inbox.repository';
import { ProviderLimiterRepository } from './repositories/provider-limiter.repository';
import { SecretBoxRepository } from './repositories/secret-box.repository';
import { TelegramApiRepository } from './repositories/telegram-api.repository';
import { ApiKeyService } from './services/api-key.service';
import { NotificationService } from './services/notification.service';
import { BridgeLifecycleService } from './services/bridge-lifecycle.service';
import { ChannelAccessService } from './services/channel-access.service';
import { ChannelService } from './services/channel.service';
import { InboundService } from './services/inbound.service';
import { InboxService } from './services/inbox.service';
import { OutboundService } from './services/outbound.service';
import { ReconcileService } from './services/reconcile.service';
import { SecretsService } from './services/secrets.service';
import { ThreadMembershipService } from './services/thread-membership.service';
import { ThreadViewService } from './services/thread-view.service';
import { WebhookService } from './services/webhook.service';
import { InboundEventProcessor } from './workers/inbound-event.processor';
import { AiReplyProcessor } from './workers/ai-reply.processor';
import { AiAgentService } from './services/ai-agent.service';
import { AiMetricsRepository } from './repositories/ai-metrics.repository';
import { LlmRepository } from './repositories/llm.repository';
import { DeliverySweepProcessor } from './workers/delivery-sweep.processor';
import { DeliveryProcessor } from './workers/delivery.processor';
import { InboundFileProcessor } from './workers/inbound-file.processor';
import { ReconcileProcessor } from './workers/reconcile.processor';
import { ReencryptProcessor } from './workers/reencrypt.processor';

export { redactWebhookUrl, takesRawBody } from './api/webhook-body';
export { mountWidgetHttp } from './api/widget-http';

/**
 * The bridge: Telegram bots and Avito accounts as channels, their customers as contacts, their conversations as
 * inbox threads (chats of type `inbox`). The module uses the messenger through its services and shared
 * infrastructure repositories; the messenger never imports the module. app.module wires these lists in.
 */
export const BridgeModule = {
  controllers: [
    ChannelController,
    InboxController,
    InboxDeskController,
    LabelController,
    CannedResponseController,
    ContactController,
    WebhookController,
    OutboundController,
    ApiKeyController,
    NotificationController,
    TelegramLinkController,
    TelegramAuthController,
    AlertSettingsController,
    WidgetController,
  ],
  repositories: [
    AlertRepository,
    AiMetricsRepository,
    LlmRepository,
    ApiKeyRepository,
    TelegramLoginRepository,
    NotificationRepository,
    AssignmentRepository,
    CollisionRepository,
    ContactRepository,
    InboxStatsRepository,
    LabelRepository,
    SnoozeRepository,
    ViewerRepository,
    AvitoApiRepository,
    BridgeLockRepository,
    ChannelRepository,
    DeliveryMetricsRepository,
    DeliveryRepository,
    InboundEventRepository,
    InboxRepository,
    ProviderLimiterRepository,
    SecretBoxRepository,
    TelegramApiRepository,
    VisitorTokenRepository,
    WidgetSocketRepository,
  ],
  services: [
    AlertService,
    AiAgentService,
    ApiKeyService,
    TelegramLinkService,
    NotificationService,
    NotificationsKeyGuard,
    AutoAssignService,
    CannedResponseService,
    CollisionService,
    ContactService,
    InboxStatsService,
    LabelService,
    SnoozeService,
    ViewerService,
    BridgeLifecycleService,
    ChannelAccessService,
    ChannelService,
    InboundService,
    InboxService,
    OutboundService,
    ReconcileService,
    SecretsService,
    ThreadMembershipService,
    ThreadViewService,
    WebhookService,
    WidgetService,
    WidgetPushService,
    VisitorGuard,
  ],
  /** socket.io gateways of the module: the website widget's /widget namespace. */
  gateways: [WidgetGateway],
  /** Job handlers, handed to the job system through the JOB_HANDLERS token. */
  processors: [AiReplyProcessor, DeliveryProcessor, DeliverySweepProcessor, InboundEventProcessor, InboundFileProcessor, ReconcileProcessor, ReencryptProcessor, SnoozeWakeProcessor],
};
