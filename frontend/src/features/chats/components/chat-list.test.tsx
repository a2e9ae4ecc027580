import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { bob, carol, directChat, me, message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { applyNewMessage, applyPresence, applyRead } from '../realtime';
import { ChatList } from './chat-list';

const withBob = '30000000-0000-4000-8000-000000000001';
const withCarol = '30000000-0000-4000-8000-000000000002';

function serveChats() {
  const older = message(withCarol, 1, { senderId: carol.id, body: 'old news' });
  const newer = message(withBob, 3, { body: 'fresh from Bob' });
  server.use(
    http.get('*/api/v1/chats', () =>
      HttpResponse.json({
        items: [
          directChat(withBob, bob, { lastMessage: newer, lastMessageSeq: 3, unreadCount: 2 }),
          directChat(withCarol, carol, { lastMessage: older, lastMessageSeq: 1 }),
        ],
        nextCursor: null,
      }),
    ),
  );
}

const titles = () => within(screen.getByRole('navigation', { name: 'Chats' })).getAllByRole('link').map((a) => a.getAttribute('aria-label'));

describe('ChatList (unit, HTTP mocked with MSW)', () => {
  it('reads every page of the chat list (the API pages it) into one list', async () => {
    const cursors: Array<string | null> = [];
    server.use(
      http.get('*/api/v1/chats', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        return HttpResponse.json(
          cursor === 'page-2'
            ? { items: [directChat(withCarol, carol, { lastMessage: message(withCarol, 1, { senderId: carol.id, body: 'old news' }), lastMessageSeq: 1 })], nextCursor: null }
            : { items: [directChat(withBob, bob, { lastMessage: message(withBob, 3, { body: 'fresh from Bob' }), lastMessageSeq: 3 })], nextCursor: 'page-2' },
        );
      }),
    );
    renderWithProviders(<ChatList meId={me.id} />);
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    await within(nav).findByRole('link', { name: 'Carol Danvers' });
    expect(titles()).toEqual(['Bob Builder', 'Carol Danvers']);
    expect(cursors).toEqual([null, 'page-2']);
  });

  it('lists chats by the other person’s name with preview and unread badge, and filters by search', async () => {
    serveChats();
    renderWithProviders(<ChatList meId={me.id} />);
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    const bobLink = await within(nav).findByRole('link', { name: 'Bob Builder' });
    expect(bobLink).toHaveAttribute('href', `/chats/${withBob}`);
    expect(bobLink).toHaveAccessibleDescription(/fresh from Bob/);
    expect(within(bobLink).getByLabelText('2 unread')).toHaveTextContent('2');
    expect(titles()).toEqual(['Bob Builder', 'Carol Danvers']);

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search chats' }), 'carol');
    expect(titles()).toEqual(['Carol Danvers']);
  });

  it('moves a chat to the top and counts it unread when a message arrives live; reading clears it', async () => {
    serveChats();
    const { queryClient } = renderWithProviders(<ChatList meId={me.id} />);
    await screen.findByRole('link', { name: 'Carol Danvers' });

    const breaking = message(withCarol, 2, { senderId: carol.id, body: 'breaking news', createdAt: '2026-01-01T13:00:00.000Z' });
    act(() => applyNewMessage(queryClient, breaking, me.id));
    await expect.poll(titles).toEqual(['Carol Danvers', 'Bob Builder']);
    const carolLink = screen.getByRole('link', { name: 'Carol Danvers' });
    expect(carolLink).toHaveAccessibleDescription(/breaking news/);
    expect(within(carolLink).getByLabelText('1 unread')).toBeInTheDocument();

    // The same event twice (a resync overlapping the socket) changes nothing more.
    act(() => applyNewMessage(queryClient, breaking, me.id));
    await new Promise((r) => setTimeout(r, 20));
    expect(within(carolLink).getByLabelText('1 unread')).toBeInTheDocument();

    act(() => applyRead(queryClient, { chatId: withCarol, userId: me.id, seq: 2 }, me.id));
    await expect.poll(() => within(screen.getByRole('link', { name: 'Carol Danvers' })).queryByLabelText(/unread/)).toBeNull();
  });

  it('shows the online dot for the other person of a direct chat', async () => {
    serveChats();
    const { queryClient } = renderWithProviders(<ChatList meId={me.id} />);
    const bobLink = await screen.findByRole('link', { name: 'Bob Builder' });
    expect(bobLink.querySelector('[data-online]')).toBeNull();
    act(() => applyPresence(queryClient, { userId: bob.id, online: true, lastSeenAt: null }));
    await expect.poll(() => bobLink.querySelector('[data-online]')).not.toBeNull();
  });
});
