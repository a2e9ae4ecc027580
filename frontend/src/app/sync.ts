import type { MessageResponseDto } from '@messenger/api-client';
import { syncOptions } from '@messenger/api-client/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { applyChangedMessage, applyChatRemoved, applyChatSnapshot, applyNewMessage } from '@/features/chats';
import { applyIncoming, resyncMessages } from '@/features/messages';

/**
 * Catching up after the socket was away: one `GET /sync?since=<cursor>` (paged while `hasMore`) returns every
 * message created, edited or deleted in your chats and every membership change, in change order. Each is
 * applied through the feature that owns the data, upserting by id, so nothing is missed or doubled.
 */
export class Resync {
  private cursor: string | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly meId: string,
  ) {}

  /** Takes a cursor for "now"; later catch-ups start from it. */
  async start(): Promise<void> {
    try {
      this.cursor = (await this.fetch(undefined)).cursor;
    } catch {
      this.cursor = null;
    }
  }

  catchUp(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private fetch(since: string | undefined) {
    return this.queryClient.fetchQuery({ ...syncOptions(since ? { query: { since } } : undefined), staleTime: 0, gcTime: 0 });
  }

  private async run(): Promise<void> {
    if (!this.cursor) return this.fallback();
    try {
      for (;;) {
        const page = await this.fetch(this.cursor);
        for (const chat of page.chats) applyChatSnapshot(this.queryClient, chat);
        for (const chatId of page.removedChatIds) applyChatRemoved(this.queryClient, chatId);
        for (const message of page.messages) this.apply(message);
        this.cursor = page.cursor;
        if (!page.hasMore) return;
      }
    } catch {
      return this.fallback();
    }
  }

  private apply(message: MessageResponseDto): void {
    applyIncoming(this.queryClient, message, this.meId);
    applyNewMessage(this.queryClient, message, this.meId);
    if (message.deletedAt || message.editedAt) applyChangedMessage(this.queryClient, message);
  }

  /** Without a usable cursor: `after=` for every loaded chat, and fresh lists. */
  private async fallback(): Promise<void> {
    await resyncMessages(this.queryClient);
    await this.queryClient.invalidateQueries({ queryKey: [{ _id: 'listChats' }] });
    await this.queryClient.invalidateQueries({ queryKey: [{ _id: 'getChat' }] });
    await this.start();
  }
}
