import { act, render, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { useSession } from '@/lib/session';
import { detectMiniApp, type MiniApp } from '@/lib/telegram-web-app';
import { me } from '@/testing/data';
import { server } from '@/testing/server';
import { startMiniApp } from '../api/sign-in';
import { useMiniApp } from '../store';
import { MiniAppNavigation, MiniAppSignInError } from './mini-app-navigation';

const CHANNEL = '11111111-1111-4111-8111-111111111111';
const INIT_DATA = 'query_id=AAH&user=%7B%22id%22%3A5001%7D&auth_date=1700000000&hash=abc';

function fakeWebApp() {
  const handlers: Array<() => void> = [];
  return {
    initData: INIT_DATA,
    initDataUnsafe: { start_param: CHANNEL },
    themeParams: { bg_color: '#17212b', text_color: '#f5f5f5', button_color: '#5288c1', link_color: '#6ab3f3' },
    colorScheme: 'dark' as const,
    ready: vi.fn(),
    expand: vi.fn(),
    BackButton: { show: vi.fn(), hide: vi.fn(), onClick: vi.fn((h: () => void) => handlers.push(h)), offClick: vi.fn() },
    press: () => handlers.forEach((h) => h()),
  };
}

function signInAnswers(captured: unknown[]) {
  server.use(
    http.post('*/api/v1/auth/telegram', async ({ request }) => {
      captured.push(await request.json());
      return HttpResponse.json({ user: me, accessToken: 'tg-token', refreshToken: 'r', expiresIn: 900 });
    }),
  );
}

afterEach(() => {
  delete window.Telegram;
  window.history.replaceState(null, '', '/');
  document.documentElement.removeAttribute('style');
  delete document.documentElement.dataset.telegram;
  useMiniApp.setState({ app: null, error: null });
});

describe('Mini App bootstrap (unit, HTTP mocked with MSW)', () => {
  it('with Telegram.WebApp: signs in by initData for the start-param channel, applies the theme and tells Telegram it is ready', async () => {
    const webApp = fakeWebApp();
    window.Telegram = { WebApp: webApp };
    const bodies: unknown[] = [];
    signInAnswers(bodies);
    const app = detectMiniApp();
    expect(app).not.toBeNull();
    await startMiniApp(app!);
    expect(bodies).toEqual([{ initData: INIT_DATA, channelId: CHANNEL }]);
    expect(useSession.getState()).toMatchObject({ status: 'signed-in', accessToken: 'tg-token' });
    const root = document.documentElement;
    expect(root.style.getPropertyValue('--tg-theme-bg-color')).toBe('#17212b');
    expect(root.style.getPropertyValue('--tg-theme-button-color')).toBe('#5288c1');
    expect(root.style.colorScheme).toBe('dark');
    expect(root.dataset.telegram).toBe('true');
    expect(webApp.ready).toHaveBeenCalled();
  });

  it('without the script: reads tgWebAppData and the theme from the hash, and ?channelId= from the query', async () => {
    const theme = encodeURIComponent(JSON.stringify({ bg_color: '#ffffff', text_color: '#000000' }));
    window.history.replaceState(null, '', `/?channelId=${CHANNEL}#tgWebAppData=${encodeURIComponent(INIT_DATA)}&tgWebAppVersion=7.0&tgWebAppThemeParams=${theme}`);
    const bodies: unknown[] = [];
    signInAnswers(bodies);
    const app = detectMiniApp();
    expect(app?.initData).toBe(INIT_DATA);
    await startMiniApp(app!);
    expect(bodies).toEqual([{ initData: INIT_DATA, channelId: CHANNEL }]);
    expect(document.documentElement.style.getPropertyValue('--tg-theme-bg-color')).toBe('#ffffff');
    expect(document.documentElement.style.colorScheme).toBe('light');
  });

  it('an ordinary tab is not a Mini App', () => {
    expect(detectMiniApp()).toBeNull();
  });

  it('a refused initData says why above the login form, and falls back to the session cookie', async () => {
    window.Telegram = { WebApp: fakeWebApp() };
    let restored = 0;
    server.use(
      http.post('*/api/v1/auth/telegram', () =>
        HttpResponse.json({ statusCode: 401, code: 'TELEGRAM_NOT_LINKED', message: 'this Telegram account is not linked to any account' }, { status: 401 }),
      ),
      http.post('*/api/v1/auth/session', () => {
        restored += 1;
        return HttpResponse.json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'no session' }, { status: 401 });
      }),
    );
    await startMiniApp(detectMiniApp()!);
    expect(restored).toBe(1);
    expect(useSession.getState().status).toBe('signed-out');
    render(<MiniAppSignInError />);
    expect(screen.getByRole('alert')).toHaveTextContent('not linked');
  });
});

function Where() {
  return <output aria-label="path">{useLocation().pathname}</output>;
}

function renderAt(entries: string[], app: MiniApp) {
  useMiniApp.setState({ app });
  return render(
    <MemoryRouter initialEntries={entries} initialIndex={entries.length - 1}>
      <MiniAppNavigation />
      <Routes>
        <Route path="*" element={<Where />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('Mini App navigation (unit)', () => {
  const miniApp = (webApp: ReturnType<typeof fakeWebApp>) => {
    window.Telegram = { WebApp: webApp };
    return detectMiniApp()!;
  };

  it('opens straight into the inbox, with Telegram\'s back button hidden there', () => {
    const webApp = fakeWebApp();
    renderAt(['/'], miniApp(webApp));
    expect(screen.getByLabelText('path')).toHaveTextContent('/inbox');
    expect(webApp.BackButton.hide).toHaveBeenCalled();
    expect(webApp.BackButton.show).not.toHaveBeenCalled();
  });

  it('in a thread, Telegram\'s back button is shown and goes back within the app', () => {
    const webApp = fakeWebApp();
    renderAt(['/inbox', `/inbox/${CHANNEL}`], miniApp(webApp));
    expect(webApp.BackButton.show).toHaveBeenCalled();
    act(() => webApp.press());
    expect(screen.getByLabelText('path')).toHaveTextContent(/^\/inbox$/);
    expect(webApp.BackButton.hide).toHaveBeenCalled();
    expect(webApp.BackButton.offClick).toHaveBeenCalled();
  });

  it('a thread opened directly goes back to the inbox, not out of the app', () => {
    const webApp = fakeWebApp();
    renderAt([`/inbox/${CHANNEL}`], miniApp(webApp));
    act(() => webApp.press());
    expect(screen.getByLabelText('path')).toHaveTextContent(/^\/inbox$/);
  });

  it('without the script, the back button goes through Telegram\'s event bridge', () => {
    const postEvent = vi.fn();
    window.TelegramWebviewProxy = { postEvent };
    window.history.replaceState(null, '', `/#tgWebAppData=${encodeURIComponent(INIT_DATA)}`);
    try {
      renderAt(['/inbox', `/inbox/${CHANNEL}`], detectMiniApp()!);
      expect(postEvent).toHaveBeenCalledWith('web_app_setup_back_button', JSON.stringify({ is_visible: true }));
      act(() => window.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ eventType: 'back_button_pressed' }) })));
      expect(screen.getByLabelText('path')).toHaveTextContent(/^\/inbox$/);
      expect(postEvent).toHaveBeenLastCalledWith('web_app_setup_back_button', JSON.stringify({ is_visible: false }));
    } finally {
      delete window.TelegramWebviewProxy;
    }
  });

  it('in an ordinary tab it does nothing', () => {
    useMiniApp.setState({ app: null });
    render(
      <MemoryRouter initialEntries={['/']}>
        <MiniAppNavigation />
        <Routes>
          <Route path="*" element={<Where />} />
        </Routes>
      </MemoryRouter>,
    );
    expect(screen.getByLabelText('path')).toHaveTextContent(/^\/$/);
  });
});
