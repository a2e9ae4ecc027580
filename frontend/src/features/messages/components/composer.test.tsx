import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { me, message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { useOutbox } from '../stores/outbox';
import { Composer } from './composer';

const chatId = '40000000-0000-4000-8000-000000000001';

describe('Composer (unit, HTTP mocked with MSW; the socket is down so sends go over REST)', () => {
  beforeEach(() => {
    useOutbox.setState({ entries: {} });
    server.use(http.get('*/api/v1/chats/:chatId/messages', () => HttpResponse.json({ items: [] })));
  });

  it('sends on Enter with a clientId, breaks the line on Shift+Enter, and clears once stored', async () => {
    const bodies: Array<{ clientId: string; body: string }> = [];
    server.use(
      http.post('*/api/v1/chats/:chatId/messages', async ({ request }) => {
        const body = (await request.json()) as { clientId: string; body: string };
        bodies.push(body);
        return HttpResponse.json(message(chatId, 1, { senderId: me.id, clientId: body.clientId, body: body.body }), { status: 201 });
      }),
    );
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.type(box, 'first line{Shift>}{Enter}{/Shift}second line');
    expect(box).toHaveValue('first line\nsecond line');
    expect(bodies).toHaveLength(0);
    await userEvent.type(box, '{Enter}');
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]!.body).toBe('first line\nsecond line');
    expect(bodies[0]!.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(box).toHaveValue('');
    await expect.poll(() => Object.keys(useOutbox.getState().entries)).toHaveLength(0);
  });

  it('keeps a failed send as failed, and a retry reuses the same clientId', async () => {
    const clientIds: string[] = [];
    let fail = true;
    server.use(
      http.post('*/api/v1/chats/:chatId/messages', async ({ request }) => {
        const body = (await request.json()) as { clientId: string; body: string };
        clientIds.push(body.clientId);
        if (fail) return HttpResponse.json({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'down' }, { status: 503 });
        return HttpResponse.json(message(chatId, 1, { senderId: me.id, clientId: body.clientId, body: body.body }), { status: 201 });
      }),
    );
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'hello{Enter}');
    await expect.poll(() => Object.values(useOutbox.getState().entries)[0]?.status).toBe('failed');

    fail = false;
    const { useSendMessage } = await import('../api/send-message');
    let retry!: (id: string) => Promise<unknown>;
    function Retry() {
      retry = useSendMessage(chatId).retry;
      return null;
    }
    renderWithProviders(<Retry />);
    await retry(clientIds[0]!);
    expect(clientIds).toHaveLength(2);
    expect(clientIds[1]).toBe(clientIds[0]);
    expect(useOutbox.getState().entries).toEqual({});
  });

  it('does not send blank text', async () => {
    let calls = 0;
    server.use(http.post('*/api/v1/chats/:chatId/messages', () => {
      calls += 1;
      return HttpResponse.json({}, { status: 201 });
    }));
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), '   {Enter}');
    expect(calls).toBe(0);
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });
});
