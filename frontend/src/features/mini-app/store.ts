import { create } from 'zustand';
import type { MiniApp } from '@/lib/telegram-web-app';

export type MiniAppError = { kind: 'no-channel' } | { kind: 'offline' } | { kind: 'refused'; reason: string };

interface MiniAppState {
  /** The Telegram Mini App the page runs in; null in an ordinary tab. */
  app: MiniApp | null;
  /** Why the initData sign-in did not work (shown above the login form), if it did not. */
  error: MiniAppError | null;
  set(state: Partial<Pick<MiniAppState, 'app' | 'error'>>): void;
}

export const useMiniApp = create<MiniAppState>()((set) => ({
  app: null,
  error: null,
  set: (state) => set(state),
}));
