import { stringsFor } from './i18n';
import { ChatWidget } from './widget';

/**
 * Entry of widget.js: `<script src="<PUBLIC_URL>/widget.js" data-channel="<id>" async>`. The messenger is wherever
 * the script came from; the widget mounts once, in its own element at the end of <body>.
 */
function boot(): void {
  const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-channel]');
  const channelId = script?.dataset.channel;
  if (!script || !channelId || document.querySelector('messenger-chat-widget')) return;
  const host = document.createElement('messenger-chat-widget');
  document.body.append(host);
  const storage = (() => {
    try {
      return window.localStorage;
    } catch {
      // Storage blocked (privacy settings): the visitor is new on every page load.
      const memory = new Map<string, string>();
      return { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v), removeItem: (k: string) => void memory.delete(k) };
    }
  })();
  new ChatWidget(host, { base: new URL(script.src, location.href).origin, channelId, strings: stringsFor(document.documentElement.lang), storage });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
