import { QueryClient } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { me, message } from '@/testing/data';
import { server } from '@/testing/server';
import { messagesQueryKey } from './api/get-messages';
import { applyIncoming } from './realtime';
import { useOutbox } from './stores/outbox';
import { flattenAscending, type MessagePages } from './utils/merge';

const chatId = '50000000-0000-4000-8000-000000000001';

function cached(queryClient: QueryClient, seqs: number[]) {
  queryClient.setQueryData<MessagePages>(messagesQueryKey(chatId), { pages: [{ items: seqs.map((s) => message(chatId, s)).reverse() }], pageParams: [{}] });
}
const seqs = (queryClient: QueryClient) => flattenAscending(queryClient.getQueryData<MessagePages>(messagesQueryKey(chatId))).map((m) => m.seq);

describe('pushed messages into the cache (unit, HTTP mocked with MSW)', () => {
  it('a seq beyond the next one fetches the missed messages with after=, leaving no gap and no duplicate', async () => {
    const queryClient = new QueryClient();
    cached(queryClient, [1, 2, 3]);
    const missed = [4, 5, 6].map((s) => message(chatId, s));
    const afters: string[] = [];
    server.use(
      http.get('*/api/v1/chats/:chatId/messages', ({ request }) => {
        const after = new URL(request.url).searchParams.get('after') ?? '';
        afters.push(after);
        return HttpResponse.json({ items: missed.filter((m) => m.seq > Number(after)) });
      }),
    );
    applyIncoming(queryClient, missed[2]!, me.id);
    await expect.poll(() => seqs(queryClient)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(afters).toEqual(['3']);
  });

  it('the next seq needs no fetch, and your own echo clears its pending entry', () => {
    const queryClient = new QueryClient();
    cached(queryClient, [1, 2]);
    useOutbox.getState().add({ clientId: 'c-1', chatId, body: 'mine', createdAt: new Date().toISOString(), status: 'sending' });
    applyIncoming(queryClient, message(chatId, 3, { senderId: me.id, clientId: 'c-1', body: 'mine' }), me.id);
    expect(seqs(queryClient)).toEqual([1, 2, 3]);
    expect(useOutbox.getState().entries).toEqual({});
  });
});
