import type { ChannelResponseDto, MessageResponseDto, ThreadResponseDto } from '@messenger/api-client';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { useSession } from '@/lib/session';
import { directChat, me, message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { AiDraft } from './ai-draft';
import { AiOwnerControls } from './ai-owner';
import { AiSettingsForm } from './channel-settings-page';
import { Composer } from './composer';
import { ThreadList } from './thread-list';
import { ThreadView } from './thread-view';

/** Socket events are handed to the component by the test instead of a server. */
const socketHandlers = new Map<string, (payload: unknown) => void>();
vi.mock('@/lib/socket', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/socket')>()),
  onSocketEvent: (event: string, handler: (payload: unknown) => void) => {
    socketHandlers.set(event, handler);
    return () => socketHandlers.delete(event);
  },
  emitEvent: () => Promise.resolve(undefined),
}));

const chatId = '41000000-0000-4000-8000-000000000001';
const channel = { id: '51000000-0000-4000-8000-000000000001', type: 'telegram' as const, name: 'Shop bot' };
const contactId = '61000000-0000-4000-8000-000000000001';

function thread(over: Partial<ThreadResponseDto> = {}): ThreadResponseDto {
  const last = message(chatId, 1, { body: 'hello', senderId: null, senderContactId: contactId });
  return {
    chat: directChat(chatId, { id: me.id, username: me.username, displayName: me.displayName }, { lastMessage: last, lastMessageSeq: 1, unreadCount: 0 }),
    channel,
    contact: { id: contactId, channelId: channel.id, externalId: '1', name: 'Anna Customer', avatarUrl: null, profileUrl: null, blocked: false, personId: null, email: null },
    status: 'open',
    owner: 'ai',
    aiAgent: { mode: 'auto', agentName: 'Shop assistant' },
    assigneeId: null,
    snoozedUntil: null,
    labels: [],
    unreadCount: 0,
    lastMessage: last,
    context: null,
    lastActivityAt: last.createdAt,
    ...over,
  };
}

describe('AI agent in the inbox (unit, HTTP mocked with MSW)', () => {
  it('shows the AI owner with the agent name; "Take over" asks the server', async () => {
    const calls: string[] = [];
    server.use(http.post('*/api/v1/inbox/threads/:id/take-over', ({ params }) => (calls.push(String(params.id)), HttpResponse.json(thread({ owner: 'human' })))));
    renderWithProviders(<AiOwnerControls thread={thread()} />);
    expect(screen.getByTestId('thread-owner')).toHaveTextContent('Answered by: AI · Shop assistant');
    expect(screen.queryByRole('button', { name: 'Return to AI' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Take over' }));
    await waitFor(() => expect(calls).toEqual([chatId]));
  });

  it('a human-owned thread of an AI channel offers "Return to AI"; without an agent it offers nothing', async () => {
    const calls: string[] = [];
    server.use(http.post('*/api/v1/inbox/threads/:id/return-to-ai', ({ params }) => (calls.push(String(params.id)), HttpResponse.json(thread()))));
    const { unmount } = renderWithProviders(<AiOwnerControls thread={thread({ owner: 'human' })} />);
    expect(screen.getByTestId('thread-owner')).toHaveTextContent('Answered by: Human');
    expect(screen.queryByRole('button', { name: 'Take over' })).toBeNull();
    // The hand-off reason arrives live.
    act(() => socketHandlers.get('thread:handoff')?.({ chatId, reason: 'tool', detail: 'wants a refund', at: '2026-01-01T10:00:00.000Z' }));
    expect(screen.getByRole('status')).toHaveTextContent('Handed to people: wants a refund');
    await userEvent.click(screen.getByRole('button', { name: 'Return to AI' }));
    await waitFor(() => expect(calls).toEqual([chatId]));
    unmount();
    renderWithProviders(<AiOwnerControls thread={thread({ owner: 'human', aiAgent: null })} />);
    expect(screen.queryByRole('button', { name: 'Return to AI' })).toBeNull();
  });

  it('the draft appears above the composer; "Use" hands its text over and ends it, "Discard" ends it', async () => {
    let deletes = 0;
    server.use(
      http.get('*/api/v1/inbox/threads/:id/draft', () => HttpResponse.json({ text: 'We open at 9.', createdAt: '2026-01-01T10:00:00.000Z' })),
      http.delete('*/api/v1/inbox/threads/:id/draft', () => (deletes++, new HttpResponse(null, { status: 204 }))),
    );
    const onUse = vi.fn();
    renderWithProviders(<AiDraft chatId={chatId} agentName="Shop assistant" onUse={onUse} />);
    const draft = await screen.findByRole('region', { name: 'Draft from Shop assistant' });
    expect(draft).toHaveTextContent('We open at 9.');
    await userEvent.click(within(draft).getByRole('button', { name: 'Use' }));
    expect(onUse).toHaveBeenCalledWith('We open at 9.');
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Draft from Shop assistant' })).toBeNull());
    expect(deletes).toBe(1);

    // A new draft pushed over the socket shows at once; Discard drops it without using it.
    act(() => socketHandlers.get('thread:draft')?.({ chatId, text: 'Second draft', createdAt: '2026-01-01T10:01:00.000Z' }));
    const second = await screen.findByRole('region', { name: 'Draft from Shop assistant' });
    await userEvent.click(within(second).getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(deletes).toBe(2));
    expect(onUse).toHaveBeenCalledTimes(1);
  });

  it('the thread list marks the threads the AI agent answers', async () => {
    const human = thread({ owner: 'human', chat: { ...thread().chat, id: '41000000-0000-4000-8000-000000000002' }, contact: { ...thread().contact, name: 'Boris Buyer' } });
    server.use(
      http.get('*/api/v1/inbox/threads', () => HttpResponse.json({ items: [thread(), human], nextCursor: null })),
      http.get('*/api/v1/inbox/counts', () => HttpResponse.json({ mine: 0, unassigned: 2, all: 2 })),
      http.get('*/api/v1/channels', () => HttpResponse.json({ items: [] })),
      http.get('*/api/v1/labels', () => HttpResponse.json({ items: [] })),
    );
    renderWithProviders(<ThreadList />);
    const list = await screen.findByRole('list', { name: 'Threads' });
    const anna = (await within(list).findByText('Anna Customer')).closest('li')!;
    expect(within(anna).getByTestId('ai-owner-chip')).toHaveTextContent('AI');
    expect(within(within(list).getByText('Boris Buyer').closest('li')!).queryByTestId('ai-owner-chip')).toBeNull();
  });

  it('the composer takes a used draft into the reply box to edit', async () => {
    renderWithProviders(<Composer capabilities={undefined} canned={[]} onSend={() => Promise.resolve()} prefill={{ text: 'We open at 9.', nonce: 1 }} />);
    expect(screen.getByRole('textbox', { name: 'Reply to the customer' })).toHaveValue('We open at 9.');
  });

  it("the thread marks the AI's messages with an AI badge and the agent's name", async () => {
    useSession.setState({ status: 'signed-in', user: me, accessToken: 'token' });
    const items: MessageResponseDto[] = [
      message(chatId, 1, { body: 'When do you open?', senderId: null, senderContactId: contactId }),
      message(chatId, 2, { body: 'At 9.', senderId: null, senderContactId: null, senderKind: 'ai', senderName: 'Shop assistant' }),
      message(chatId, 3, { body: 'Operator here', senderId: me.id, senderContactId: null }),
    ];
    server.use(
      http.get('*/api/v1/chats/:id/messages', () => HttpResponse.json({ items: [...items].reverse() })),
      http.post('*/api/v1/inbox/threads/:id/viewing', () => HttpResponse.json({ chatId, viewers: [] })),
      http.delete('*/api/v1/inbox/threads/:id/viewing', () => new HttpResponse(null, { status: 204 })),
      http.get('*/api/v1/inbox/threads/:id/draft', () => HttpResponse.json({ text: null, createdAt: null })),
      http.get('*/api/v1/channels', () => HttpResponse.json({ items: [] })),
      http.get('*/api/v1/labels', () => HttpResponse.json({ items: [] })),
      http.get('*/api/v1/canned-responses', () => HttpResponse.json({ items: [] })),
    );
    const { unmount } = renderWithProviders(<ThreadView thread={thread()} />);
    const list = await screen.findByRole('list', { name: 'Messages' });
    const ai = (await within(list).findByText('At 9.')).closest('li')!;
    expect(within(ai).getByTestId('ai-badge')).toHaveTextContent('AI');
    expect(ai).toHaveTextContent('Shop assistant');
    // The server pages newest first; the thread reads top to bottom.
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringContaining('When do you open?'),
      expect.stringContaining('At 9.'),
      expect.stringContaining('Operator here'),
    ]);
    const operator = within(list).getByText('Operator here').closest('li')!;
    expect(within(operator).queryByTestId('ai-badge')).toBeNull();
    expect(screen.getByTestId('thread-owner')).toHaveTextContent('AI · Shop assistant');
    // Leaving the thread says so to the server while its handler is still installed.
    unmount();
    await new Promise((r) => setTimeout(r, 50));
  });
});

describe('Channel AI settings form (unit, HTTP mocked with MSW)', () => {
  const base: ChannelResponseDto = {
    ...channel,
    status: 'active',
    externalAccountId: '1',
    capabilities: { maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 1 },
    operatorIds: [],
    autoAssign: false,
    operatorAlerts: false,
    ai: null,
    createdAt: '',
    updatedAt: '',
  };

  it('saves the AI settings with PATCH /channels/:id', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.patch('*/api/v1/channels/:id', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(base);
      }),
      http.get('*/api/v1/channels', () => HttpResponse.json({ items: [base] })),
      http.get('*/api/v1/inbox/threads', () => HttpResponse.json({ items: [], nextCursor: null })),
    );
    renderWithProviders(<AiSettingsForm channel={base} />);
    const form = screen.getByRole('form', { name: 'AI agent: Shop bot' });
    await userEvent.click(within(form).getByRole('checkbox', { name: 'AI agent answers new threads' }));
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Mode' }), 'draft');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Model' }), 'gpt-test');
    await userEvent.type(within(form).getByRole('textbox', { name: 'System prompt' }), 'Be kind.');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Temperature (0–2, optional)' }), '0.3');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Hand-off keywords (comma-separated)' }), 'refund, менеджер');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Fallback text (sent when the model fails or is slow)' }), 'A manager will answer.');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Agent name' }), 'Shop assistant');
    await userEvent.click(within(form).getByRole('button', { name: 'Save AI settings' }));
    await within(form).findByRole('status');
    expect(bodies).toEqual([
      {
        ai: {
          enabled: true,
          mode: 'draft',
          model: 'gpt-test',
          systemPrompt: 'Be kind.',
          fallbackText: 'A manager will answer.',
          temperature: 0.3,
          handoffKeywords: ['refund', 'менеджер'],
          agentName: 'Shop assistant',
        },
      },
    ]);
  });

  it("shows the server's refusal", async () => {
    server.use(
      http.patch('*/api/v1/channels/:id', () =>
        HttpResponse.json({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'an enabled AI agent needs ai.model', fields: ['ai.model'] }, { status: 400 }),
      ),
    );
    renderWithProviders(<AiSettingsForm channel={{ ...base, ai: { enabled: true, mode: 'auto', model: '', systemPrompt: 'x', fallbackText: 'y', handoffKeywords: [], agentName: 'AI' } }} />);
    await userEvent.click(screen.getByRole('button', { name: 'Save AI settings' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('an enabled AI agent needs ai.model');
  });
});
