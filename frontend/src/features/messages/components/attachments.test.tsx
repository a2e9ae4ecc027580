import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { me, message } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { useComposer } from '../stores/composer';
import { useOutbox } from '../stores/outbox';
import { useUploads } from '../stores/uploads';
import { Composer } from './composer';

const chatId = '40000000-0000-4000-8000-000000000001';
const uploadId = '50000000-0000-4000-8000-000000000001';
const STORAGE = 'http://storage.test/messenger';

const attachment = (status: 'ready' | 'rejected', over: Record<string, unknown> = {}) => ({
  id: uploadId,
  status,
  fileName: 'photo.png',
  contentType: 'image/png',
  size: 4,
  url: `/api/v1/attachments/${uploadId}`,
  ...over,
});

/** The API side of an upload; object storage is another origin the browser posts the form to. */
function uploadApi(verdict: ReturnType<typeof attachment>, storageDelayMs = 0) {
  const calls = { storage: 0, complete: 0 };
  server.use(
    http.post('*/api/v1/uploads', () =>
      HttpResponse.json(
        { id: uploadId, status: 'pending', upload: { method: 'POST', url: STORAGE, fields: { key: `attachments/${chatId}/${uploadId}` }, expiresAt: '2030-01-01T00:00:00Z' }, attachment: { ...verdict, status: 'pending' } },
        { status: 201 },
      ),
    ),
    http.post(STORAGE, async () => {
      calls.storage += 1;
      await delay(storageDelayMs);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post('*/api/v1/uploads/:id/complete', () => {
      calls.complete += 1;
      return HttpResponse.json(verdict);
    }),
  );
  return calls;
}

const pick = (name = 'photo.png', type = 'image/png') => userEvent.upload(screen.getByTestId('attach-input'), new File([new Uint8Array([137, 80, 78, 71])], name, { type }));

describe('attachments in the composer (unit, HTTP and storage mocked with MSW)', () => {
  beforeEach(() => {
    useOutbox.setState({ entries: {} });
    useUploads.setState({ items: [] });
    useComposer.getState().setDraft(chatId, '');
    server.use(http.get('*/api/v1/chats/:chatId/messages', () => HttpResponse.json({ items: [] })));
  });

  it('shows a progress bar while uploading, and cancel stops it before the server is asked to check anything', async () => {
    const calls = uploadApi(attachment('ready'), 60_000);
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    await pick();
    const bar = await screen.findByRole('progressbar', { name: 'Uploading photo.png' });
    expect(bar).toHaveAttribute('aria-valuemax', '100');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel upload of photo.png' }));
    await expect.poll(() => useUploads.getState().items).toHaveLength(0);
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(calls.complete).toBe(0);
  });

  it('shows why the server refused a file, and it cannot be sent', async () => {
    uploadApi(attachment('rejected', { reason: 'the file content is not image/png' }));
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    await pick();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not accepted: the file content is not image/png');
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'look');
    await userEvent.click(screen.getByRole('button', { name: 'Remove photo.png' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  it('sends a ready file without text, with its id, and clears the tray', async () => {
    uploadApi(attachment('ready'));
    const bodies: Array<{ clientId: string; body: string; attachmentIds?: string[] }> = [];
    server.use(
      http.post('*/api/v1/chats/:chatId/messages', async ({ request }) => {
        const body = (await request.json()) as (typeof bodies)[number];
        bodies.push(body);
        return HttpResponse.json(message(chatId, 1, { senderId: me.id, clientId: body.clientId, body: '', attachments: [attachment('ready')] as never }), { status: 201 });
      }),
    );
    renderWithProviders(<Composer chatId={chatId} members={[]} />);
    await pick();
    await expect.poll(() => useUploads.getState().items[0]?.status).toBe('ready');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]).toMatchObject({ body: '', attachmentIds: [uploadId] });
    expect(useUploads.getState().items).toHaveLength(0);
  });
});
