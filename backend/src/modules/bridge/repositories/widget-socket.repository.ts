import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { CHANNEL_CAPABILITIES, type ChannelProvider, type ProviderChannel, ProviderError, type SentMessage, type VerifiedAccount } from './channel-provider';
import type { WidgetServerToClient } from '@/modules/bridge/schemas/widget.dto';

export const visitorRoom = (contactId: string) => `visitor:${contactId}`;

const notOverHttp = (): never => {
  throw new ProviderError({ kind: 'rejected', status: 0, description: 'a web channel is delivered over the widget socket, not through a provider call' });
};

/**
 * The web channel's side of the provider world: its "provider" is the /widget socket.io namespace. There is nothing
 * to verify or register; replies are emitted to the visitor's room (every instance, through the server's adapter),
 * by the outbound sender, which hands over the whole message view (see OutboundService). The widget gateway hands it
 * the namespace (see `attach`); it is not a gateway itself, which would cost a disconnect listener per socket.
 */
@Injectable()
export class WidgetSocketRepository implements ChannelProvider {
  readonly type = 'web' as const;
  readonly capabilities = CHANNEL_CAPABILITIES.web;
  private namespace?: Namespace<Record<string, never>, WidgetServerToClient>;

  /** Called once, by the widget gateway's afterInit, before the namespace accepts a connection. */
  attach(namespace: Namespace) {
    this.namespace = namespace as unknown as Namespace<Record<string, never>, WidgetServerToClient>;
  }

  /** False only in a process that never started the socket server; the delivery then stays queued for a retry. */
  get ready(): boolean {
    return this.namespace !== undefined;
  }

  joinVisitorRoom(socket: { join(room: string): unknown }, contactId: string): void {
    void socket.join(visitorRoom(contactId));
  }

  emitToVisitor<E extends keyof WidgetServerToClient>(contactId: string, event: E, ...args: Parameters<WidgetServerToClient[E]>): void {
    if (!this.namespace) throw new ProviderError({ kind: 'transient', description: 'the widget socket is not running in this process' });
    (this.namespace.to(visitorRoom(contactId)).emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args);
  }

  verify(): Promise<VerifiedAccount> {
    return Promise.resolve({ externalAccountId: 'web', displayName: 'Website widget' });
  }

  registerWebhook(): Promise<void> {
    return Promise.resolve();
  }

  unregisterWebhook(): Promise<void> {
    return Promise.resolve();
  }

  isWebhookRegistered(): Promise<boolean> {
    return Promise.resolve(true);
  }

  sendText(_channel: ProviderChannel): Promise<SentMessage> {
    return notOverHttp();
  }

  sendFile(_channel: ProviderChannel): Promise<SentMessage> {
    return notOverHttp();
  }

  editText(): Promise<void> {
    return notOverHttp();
  }

  deleteMessage(): Promise<void> {
    return notOverHttp();
  }

  downloadFile(): Promise<never> {
    return notOverHttp();
  }

  answerCallback(): Promise<void> {
    return notOverHttp();
  }
}
