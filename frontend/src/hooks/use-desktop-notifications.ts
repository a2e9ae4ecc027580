import { useCallback } from 'react';

export interface NotifyInput {
  tag: string;
  title: string;
  body: string;
  url: string;
}

/** Shows a desktop notification only while the tab is hidden and only after the person allowed it. */
export function useDesktopNotifications(): (input: NotifyInput) => void {
  return useCallback((input: NotifyInput) => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
    const notification = new Notification(input.title, { body: input.body, tag: input.tag });
    notification.onclick = () => {
      window.focus();
      window.history.pushState(null, '', input.url);
      window.dispatchEvent(new PopStateEvent('popstate'));
      notification.close();
    };
  }, []);
}
