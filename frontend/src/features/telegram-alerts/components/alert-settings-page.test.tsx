import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { me } from '@/testing/data';
import { renderWithProviders } from '@/testing/render';
import { server } from '@/testing/server';
import { AlertSettingsPage } from './alert-settings-page';

const BOT = { id: '22222222-2222-4222-8222-222222222222', type: 'telegram', name: 'Alerts', operatorAlerts: true };

function backend(opts: { linked: boolean }) {
  const patches: unknown[] = [];
  const links: unknown[] = [];
  let settings = { threads: 'assigned+unassigned', muted: false };
  server.use(
    http.get('*/api/v1/users/me', () =>
      HttpResponse.json({ ...me, telegramLink: opts.linked ? { telegramUserId: '5001', username: 'olga_tg', linkedAt: '2026-01-01T00:00:00.000Z' } : null }),
    ),
    http.get('*/api/v1/channels', () => HttpResponse.json({ items: [{ ...BOT, type: 'avito', id: 'x', operatorAlerts: false }, BOT] })),
    http.get('*/api/v1/users/me/alert-settings', () => HttpResponse.json(settings)),
    http.patch('*/api/v1/users/me/alert-settings', async ({ request }) => {
      const body = (await request.json()) as Partial<typeof settings>;
      patches.push(body);
      settings = { ...settings, ...body };
      return HttpResponse.json(settings);
    }),
    http.post('*/api/v1/users/me/telegram-link', async ({ request }) => {
      links.push(await request.json());
      return HttpResponse.json({ code: 'abc', url: 'https://t.me/shop_alerts_bot?start=abc', expiresAt: '2026-01-01T00:10:00.000Z' }, { status: 201 });
    }),
  );
  return { patches, links };
}

describe('Telegram alert settings (unit, HTTP mocked with MSW)', () => {
  it('chooses which threads send cards and mutes them, saving each change', async () => {
    const { patches } = backend({ linked: true });
    renderWithProviders(<AlertSettingsPage />);
    expect(await screen.findByText('Cards go to Telegram @olga_tg.')).toBeInTheDocument();
    const select = await screen.findByRole('combobox', { name: 'Cards for' });
    expect(select).toHaveValue('assigned+unassigned');
    await userEvent.selectOptions(select, 'assigned');
    await expect.poll(() => patches).toEqual([{ threads: 'assigned' }]);
    await expect.poll(() => (screen.getByRole('combobox', { name: 'Cards for' }) as HTMLSelectElement).value).toBe('assigned');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Mute alert cards' }));
    await expect.poll(() => patches).toEqual([{ threads: 'assigned' }, { muted: true }]);
    await expect.poll(() => screen.getByRole('checkbox', { name: 'Mute alert cards' })).toBeChecked();
  });

  it('without a linked account, makes a one-time link through the alert bot', async () => {
    const { links } = backend({ linked: false });
    renderWithProviders(<AlertSettingsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Link Telegram' }));
    expect(links).toEqual([{ channelId: BOT.id }]);
    expect(await screen.findByRole('link', { name: /Open the bot in Telegram/ })).toHaveAttribute('href', 'https://t.me/shop_alerts_bot?start=abc');
  });
});
