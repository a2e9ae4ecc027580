import type { ThreadResponseDto } from '@messenger/api-client';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { directChat, me, message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { useInboxFilters } from '../store';
import { EmbedSnippet } from './channel-settings-page';
import { Composer } from './composer';
import { CustomerPanel } from './customer-panel';
import { DeliveryState } from './delivery-state';
import { ThreadList } from './thread-list';

const chatA = '40000000-0000-4000-8000-000000000001';
const chatB = '40000000-0000-4000-8000-000000000002';
const telegram = { id: '50000000-0000-4000-8000-000000000001', type: 'telegram' as const, name: 'Shop bot' };
const avito = { id: '50000000-0000-4000-8000-000000000002', type: 'avito' as const, name: 'Bikes' };

function thread(chatId: string, channel: { id: string; type: 'telegram' | 'avito' | 'web'; name: string }, name: string, over: Partial<ThreadResponseDto> = {}): ThreadResponseDto {
  const last = message(chatId, 1, { body: `hello from ${name}`, senderId: null, senderContactId: '60000000-0000-4000-8000-000000000001' });
  return {
    chat: directChat(chatId, { id: '00000000-0000-4000-8000-00000000000a', username: 'x', displayName: 'X' }, { lastMessage: last, lastMessageSeq: 1, unreadCount: 1 }),
    channel,
    contact: { id: `${chatId.slice(0, -1)}9`, channelId: channel.id, externalId: '1', name, avatarUrl: null, profileUrl: null, blocked: false, personId: null, email: null },
    status: 'open',
    owner: 'human',
    aiAgent: null,
    assigneeId: null,
    snoozedUntil: null,
    labels: [],
    unreadCount: 1,
    lastMessage: last,
    context: null,
    lastActivityAt: last.createdAt,
    ...over,
  };
}

const CHANNELS = http.get('*/api/v1/channels', () => HttpResponse.json({ items: [telegram, avito].map((c) => ({ ...c, status: 'active', externalAccountId: '1', capabilities: { maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 1 }, operatorIds: [], autoAssign: false, createdAt: '', updatedAt: '' })) }));

describe('Inbox (unit, HTTP mocked with MSW)', () => {
  beforeEach(() => useInboxFilters.setState({ tab: 'all', status: 'open', channelId: '', labelId: '', q: '' }));

  it('lists threads with channel badge, preview and unread count; tabs, status, channel and search become query parameters', async () => {
    const seen: URLSearchParams[] = [];
    server.use(
      http.get('*/api/v1/inbox/threads', ({ request }) => {
        const params = new URL(request.url).searchParams;
        seen.push(params);
        const items = [thread(chatA, telegram, 'Anna Customer'), thread(chatB, avito, 'Boris Buyer')].filter(
          (i) => (!params.get('channelId') || i.channel.id === params.get('channelId')) && (!params.get('q') || i.contact.name.toLowerCase().includes(params.get('q')!.toLowerCase())),
        );
        return HttpResponse.json({ items, nextCursor: null });
      }),
      http.get('*/api/v1/inbox/counts', () => HttpResponse.json({ mine: 0, unassigned: 2, all: 2 })),
      http.get('*/api/v1/channels', () => HttpResponse.json({ items: [telegram, avito].map((c) => ({ ...c, status: 'active', externalAccountId: '1', capabilities: { maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 1 }, operatorIds: [], autoAssign: false, createdAt: '', updatedAt: '' })) })),
      http.get('*/api/v1/labels', () => HttpResponse.json({ items: [] })),
    );
    renderWithProviders(<ThreadList />);
    const list = await screen.findByRole('list', { name: 'Threads' });
    await within(list).findByText('Anna Customer');
    const [first, second] = within(list).getAllByRole('listitem') as [HTMLElement, HTMLElement];
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(within(first).getByTestId('channel-badge')).toHaveTextContent('Telegram · Shop bot');
    expect(within(second).getByTestId('channel-badge')).toHaveTextContent('Avito · Bikes');
    expect(within(first).getByText('hello from Anna Customer')).toBeInTheDocument();
    expect(within(first).getByLabelText('1 unread')).toHaveTextContent('1');
    expect(screen.getByRole('tab', { name: 'Unassigned' })).toHaveAccessibleDescription('2');

    await userEvent.click(screen.getByRole('tab', { name: 'Mine' }));
    await expect.poll(() => seen.at(-1)?.get('assignee')).toBe('me');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'Snoozed');
    await expect.poll(() => seen.at(-1)?.get('status')).toBe('snoozed');
    await userEvent.click(screen.getByRole('tab', { name: 'All' }));
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Channel' }), 'Bikes');
    await expect.poll(() => seen.at(-1)?.get('channelId')).toBe(avito.id);
    expect(seen.at(-1)?.get('assignee')).toBeNull();
    await expect.poll(() => within(list).queryAllByRole('listitem').length).toBe(1);
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search threads' }), 'bor');
    await expect.poll(() => seen.at(-1)?.get('q')).toBe('bor');
  }, 20_000);

  it('names a website visitor\'s thread "Website"', async () => {
    const site = { id: '50000000-0000-4000-8000-000000000003', type: 'web' as const, name: 'Shop site' };
    server.use(
      http.get('*/api/v1/inbox/threads', () => HttpResponse.json({ items: [thread(chatA, site, 'Visitor 1a2b3c')], nextCursor: null })),
      http.get('*/api/v1/inbox/counts', () => HttpResponse.json({ mine: 0, unassigned: 1, all: 1 })),
      http.get('*/api/v1/channels', () => HttpResponse.json({ items: [] })),
      http.get('*/api/v1/labels', () => HttpResponse.json({ items: [] })),
    );
    renderWithProviders(<ThreadList />);
    const list = await screen.findByRole('list', { name: 'Threads' });
    await within(list).findByText('Visitor 1a2b3c');
    expect(within(list).getByTestId('channel-badge')).toHaveTextContent('Website · Shop site');
  });

  it("counts the reply against the channel's limit and refuses an over-limit text; a note has no channel limit", async () => {
    const onSend = vi.fn(async () => undefined);
    renderWithProviders(<Composer capabilities={{ maxTextLength: 10, attachments: 'images', canEdit: false, deleteWindowSeconds: 3600 }} canned={[]} onSend={onSend} />);
    expect(screen.getByRole('button', { name: 'Reply' })).toHaveAttribute('aria-pressed', 'true');
    const box = screen.getByRole('textbox', { name: 'Reply to the customer' });
    await userEvent.type(box, 'hello there!');
    expect(screen.getByTestId('char-counter')).toHaveTextContent('12/10');
    expect(screen.getByText(/images only/)).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('at most 10 characters');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await userEvent.type(box, '{Enter}');
    expect(onSend).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Note' }));
    expect(screen.queryByRole('alert')).toBeNull();
    await userEvent.type(screen.getByRole('textbox', { name: /Note for the team/ }), '{Enter}');
    expect(onSend).toHaveBeenCalledWith({ body: 'hello there!', internal: true });
  });

  it('offers canned replies on "/" and fills in the chosen one', async () => {
    renderWithProviders(
      <Composer
        capabilities={{ maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 1 }}
        canned={[{ id: '1', shortcut: 'hello', body: 'Hi {{contact.name}}', rendered: 'Hi Anna', updatedAt: '' }]}
        onSend={async () => undefined}
      />,
    );
    await userEvent.type(screen.getByRole('textbox', { name: 'Reply to the customer' }), '/he');
    await userEvent.click(within(screen.getByRole('listbox', { name: 'Canned replies' })).getByRole('button', { name: /\/hello/ }));
    expect(screen.getByRole('textbox', { name: 'Reply to the customer' })).toHaveValue('Hi Anna');
  });

  it('reads each delivery state as text, shows the reason of a failure and offers "Send again" where it makes sense', async () => {
    const at = '2026-01-01T12:00:00.000Z';
    const cases = [
      ['queued', 'Delivery: queued', false],
      ['sent', 'Delivery: sent', false],
      ['blocked', 'Delivery: the customer blocked the bot', false],
      ['failed', 'Delivery: failed', true],
      ['unknown', 'Delivery: may not have been delivered', true],
    ] as const;
    for (const [state, text, again] of cases) {
      const onSendAgain = vi.fn();
      const m = message(chatA, 1, { senderId: me.id, internal: false, delivery: { state, updatedAt: at, ...(state === 'failed' ? { error: { code: '400', message: 'message is too long' } } : {}) } });
      const { unmount } = renderWithProviders(<DeliveryState message={m} onSendAgain={onSendAgain} />);
      expect(screen.getByText(text)).toBeInTheDocument();
      const button = screen.queryByRole('button', { name: 'Send again' });
      expect(!!button).toBe(again);
      if (state === 'failed') {
        expect(screen.getByText(/message is too long/)).toBeInTheDocument();
        await userEvent.click(button!);
        expect(onSendAgain).toHaveBeenCalledWith(m.id);
      }
      if (state === 'unknown') {
        const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
        await userEvent.click(button!);
        expect(onSendAgain).not.toHaveBeenCalled();
        await userEvent.click(button!);
        expect(onSendAgain).toHaveBeenCalledWith(m.id);
        confirm.mockRestore();
      }
      unmount();
    }
  });

  it("lists the customer's linked contacts and their other threads, and links another contact found by name", async () => {
    const current = thread(chatA, telegram, 'Anna Customer');
    const base = thread(chatB, avito, 'Anna on Avito');
    const onAvito = { ...base, contact: { ...base.contact, id: '60000000-0000-4000-8000-0000000000b2' } };
    const linked: unknown[] = [];
    const links: unknown[] = [];
    server.use(
      http.get(`*/api/v1/contacts/${current.contact.id}`, () => HttpResponse.json({ contact: current.contact, linked, threads: linked.length ? [current, onAvito] : [current] })),
      http.get('*/api/v1/inbox/threads', ({ request }) => HttpResponse.json({ items: new URL(request.url).searchParams.get('q') === 'anna' ? [current, onAvito] : [], nextCursor: null })),
      http.post(`*/api/v1/contacts/${current.contact.id}/link`, async ({ request }) => {
        links.push(await request.json());
        linked.push(onAvito.contact);
        return HttpResponse.json({ contact: current.contact, linked, threads: [current, onAvito] });
      }),
      CHANNELS,
    );
    renderWithProviders(<CustomerPanel thread={current} />);
    const panel = screen.getByRole('complementary', { name: 'Customer' });
    expect(within(panel).queryByRole('region', { name: 'Linked contacts' })).toBeNull();
    await userEvent.click(within(panel).getByRole('button', { name: 'Link another contact of this person' }));
    await userEvent.type(within(panel).getByRole('textbox', { name: 'Find a contact by name' }), 'anna');
    const found = await within(panel).findByRole('list', { name: 'Contacts found' });
    // The customer themself is not offered.
    expect(await within(found).findAllByRole('button')).toHaveLength(1);
    await userEvent.click(within(found).getByRole('button', { name: 'Link Anna on Avito · Bikes' }));
    expect(links).toEqual([{ contactId: onAvito.contact.id }]);
    const region = await within(panel).findByRole('region', { name: 'Linked contacts' });
    expect(within(region).getByText(/Anna on Avito/)).toBeInTheDocument();
    const other = within(panel).getByRole('region', { name: 'Other threads of this person' });
    expect(within(other).getByRole('link', { name: /Anna on Avito · Avito · Bikes/ })).toHaveAttribute('href', `/inbox/${chatB}`);
  });

  it("shows a website channel's embed code and copies it", async () => {
    const user = userEvent.setup();
    const snippet = '<script src="https://chat.example/widget.js" data-channel="c1" async></script>';
    renderWithProviders(<EmbedSnippet name="Shop site" snippet={snippet} />);
    expect(screen.getByRole('textbox', { name: /Embed code for Shop site/ })).toHaveValue(snippet);
    await user.click(screen.getByRole('button', { name: 'Copy embed code' }));
    expect(await navigator.clipboard.readText()).toBe(snippet);
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });
});
