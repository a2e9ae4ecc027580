import { QueryClient } from '@tanstack/react-query';
import { listChatsQueryKey, listMessagesInfiniteQueryKey } from '@messenger/api-client/react-query';
import type { ChatListResponseDto, MessageListResponseDto } from '@messenger/api-client';
import type { InfiniteData } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { bob, carol, directChat, me, message } from '@/testing/data';
import { server } from '@/testing/server';
import { Resync } from './sync';

const withBob = '60000000-0000-4000-8000-000000000001';
const withCarol = '60000000-0000-4000-8000-000000000002';
const messagesKey = listMessagesInfiniteQueryKey({ path: { chatId: withBob }, query: { limit: 50 } });

describe('Resync after a reconnect (unit, HTTP mocked with MSW)', () => {
  it('applies new messages, edits, deletes, chat changes and removals from /sync, paging while hasMore', async () => {
    const queryClient = new QueryClient();
    const [m1, m2] = [message(withBob, 1), message(withBob, 2)];
    queryClient.setQueryData<InfiniteData<MessageListResponseDto>>(messagesKey, { pages: [{ items: [m2, m1] }], pageParams: [{}] });
    queryClient.setQueryData<ChatListResponseDto>(listChatsQueryKey(), {
      items: [directChat(withBob, bob, { lastMessage: m2, lastMessageSeq: 2 }), directChat(withCarol, carol)],
      nextCursor: null,
    });
    const since: Array<string | null> = [];
    server.use(
      http.get('*/api/v1/sync', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('since');
        since.push(cursor);
        if (!cursor) return HttpResponse.json({ cursor: 'c0', hasMore: false, messages: [], chats: [], removedChatIds: [] });
        if (cursor === 'c0')
          return HttpResponse.json({
            cursor: 'c1',
            hasMore: true,
            messages: [{ ...m1, body: 'edited while away', editedAt: '2026-01-01T13:00:00.000Z' }, message(withBob, 3, { body: 'new while away' })],
            chats: [],
            removedChatIds: [],
          });
        return HttpResponse.json({
          cursor: 'c2',
          hasMore: false,
          messages: [{ ...m2, body: null, deletedAt: '2026-01-01T13:01:00.000Z' }],
          chats: [],
          removedChatIds: [withCarol],
        });
      }),
    );

    const resync = new Resync(queryClient, me.id);
    await resync.start();
    await resync.catchUp();

    expect(since).toEqual([null, 'c0', 'c1']);
    const items = queryClient.getQueryData<InfiniteData<MessageListResponseDto>>(messagesKey)!.pages.flatMap((p) => p.items);
    expect(items.map((m) => [m.seq, m.body])).toEqual([
      [3, 'new while away'],
      [2, null],
      [1, 'edited while away'],
    ]);
    const list = queryClient.getQueryData<ChatListResponseDto>(listChatsQueryKey())!;
    expect(list.items.map((c) => c.id)).toEqual([withBob]);
    expect(list.items[0]!.lastMessage?.body).toBe('new while away');
    expect(list.items[0]!.unreadCount).toBe(1);
  });
});
