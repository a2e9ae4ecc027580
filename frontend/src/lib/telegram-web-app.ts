/**
 * The SPA inside Telegram as a Mini App. Telegram's own `telegram-web-app.js` is not loaded: when the page runs with
 * it (`window.Telegram.WebApp`), that object is used; otherwise the launch parameters Telegram puts in the URL hash
 * (`#tgWebAppData=…&tgWebAppThemeParams=…`) are read, and the back button is driven through Telegram's event
 * bridge (`TelegramWebviewProxy.postEvent` in the apps, `postMessage` to the parent frame on the web).
 */

/** Telegram's theme colours (`themeParams`), as it names them. */
export type TelegramThemeParams = Partial<
  Record<
    | 'bg_color'
    | 'text_color'
    | 'hint_color'
    | 'link_color'
    | 'button_color'
    | 'button_text_color'
    | 'secondary_bg_color'
    | 'header_bg_color'
    | 'accent_text_color'
    | 'section_bg_color'
    | 'section_header_text_color'
    | 'subtitle_text_color'
    | 'destructive_text_color',
    string
  >
>;

/** The part of Telegram's `WebApp` object this app uses. */
export interface TelegramWebAppObject {
  initData: string;
  initDataUnsafe?: { start_param?: string };
  themeParams?: TelegramThemeParams;
  colorScheme?: 'light' | 'dark';
  ready?: () => void;
  expand?: () => void;
  onEvent?: (event: 'themeChanged', handler: () => void) => void;
  BackButton?: { show(): void; hide(): void; onClick(handler: () => void): void; offClick(handler: () => void): void };
}

declare global {
  interface Window {
    Telegram?: { WebApp?: TelegramWebAppObject };
    TelegramWebviewProxy?: { postEvent(eventType: string, eventData: string): void };
  }
}

export interface BackButton {
  show(): void;
  hide(): void;
  /** Subscribes to presses; returns the unsubscribe. */
  onPress(handler: () => void): () => void;
}

export interface MiniApp {
  /** The signed initData, exactly as Telegram gave it (the server checks its signature). */
  initData: string;
  /** The channel whose bot signed initData: `?channelId=` in the page URL, else the `startapp` parameter. */
  channelId: string | null;
  themeParams: TelegramThemeParams;
  colorScheme: 'light' | 'dark' | null;
  backButton: BackButton;
  /** Tells Telegram the app is ready to be shown (and to take the full height). */
  ready(): void;
}

/** Launch parameters are in the hash (`#tgWebAppData=…`), sometimes in the query; either is read. */
function launchParams(location: Pick<Location, 'hash' | 'search'>): URLSearchParams {
  const params = new URLSearchParams(location.search);
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  for (const [key, value] of new URLSearchParams(hash)) params.set(key, value);
  return params;
}

function parseTheme(raw: string | null): TelegramThemeParams {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as TelegramThemeParams) : {};
  } catch {
    return {};
  }
}

/** Sends an event to the Telegram client hosting the page (the apps' proxy, or the web client's parent frame). */
function postEvent(win: Window, eventType: string, eventData: unknown): void {
  const data = JSON.stringify(eventData ?? {});
  if (win.TelegramWebviewProxy) win.TelegramWebviewProxy.postEvent(eventType, data);
  else if (win.parent && win.parent !== win) win.parent.postMessage(JSON.stringify({ eventType, eventData }), '*');
}

function bridgedBackButton(win: Window): BackButton {
  return {
    show: () => postEvent(win, 'web_app_setup_back_button', { is_visible: true }),
    hide: () => postEvent(win, 'web_app_setup_back_button', { is_visible: false }),
    onPress(handler) {
      const listener = (event: MessageEvent) => {
        try {
          const message = typeof event.data === 'string' ? (JSON.parse(event.data) as { eventType?: string }) : (event.data as { eventType?: string });
          if (message?.eventType === 'back_button_pressed') handler();
        } catch {
          // not a Telegram event
        }
      };
      win.addEventListener('message', listener);
      return () => win.removeEventListener('message', listener);
    },
  };
}

function objectBackButton(button: NonNullable<TelegramWebAppObject['BackButton']>): BackButton {
  return {
    show: () => button.show(),
    hide: () => button.hide(),
    onPress(handler) {
      button.onClick(handler);
      return () => button.offClick(handler);
    },
  };
}

/** The Mini App the page runs in, or null in an ordinary browser tab. */
export function detectMiniApp(win: Window = window): MiniApp | null {
  const params = launchParams(win.location);
  const queryChannel = new URLSearchParams(win.location.search).get('channelId');
  const webApp = win.Telegram?.WebApp;
  if (webApp?.initData) {
    return {
      initData: webApp.initData,
      channelId: queryChannel ?? webApp.initDataUnsafe?.start_param ?? params.get('tgWebAppStartParam'),
      themeParams: webApp.themeParams ?? {},
      colorScheme: webApp.colorScheme ?? null,
      backButton: webApp.BackButton ? objectBackButton(webApp.BackButton) : bridgedBackButton(win),
      ready() {
        webApp.ready?.();
        webApp.expand?.();
      },
    };
  }
  const initData = params.get('tgWebAppData');
  if (!initData) return null;
  const startParam = params.get('tgWebAppStartParam') ?? new URLSearchParams(initData).get('start_param');
  return {
    initData,
    channelId: queryChannel ?? startParam,
    themeParams: parseTheme(params.get('tgWebAppThemeParams')),
    colorScheme: null,
    backButton: bridgedBackButton(win),
    ready() {
      postEvent(win, 'web_app_ready', {});
      postEvent(win, 'web_app_expand', {});
    },
  };
}

/** `bg_color` → `--tg-theme-bg-color`, the names Telegram's own script uses, so CSS can follow the theme. */
export function applyTelegramTheme(theme: TelegramThemeParams, colorScheme: 'light' | 'dark' | null, root: HTMLElement = document.documentElement): void {
  for (const [key, value] of Object.entries(theme)) {
    if (typeof value === 'string' && /^#[0-9a-f]{3,8}$/i.test(value)) root.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
  }
  root.dataset.telegram = 'true';
  const scheme = colorScheme ?? (theme.bg_color ? (isDark(theme.bg_color) ? 'dark' : 'light') : null);
  if (scheme) root.style.colorScheme = scheme;
}

function isDark(hex: string): boolean {
  const full = hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex;
  const channel = (i: number) => parseInt(full.slice(i, i + 2), 16);
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5) < 128;
}
