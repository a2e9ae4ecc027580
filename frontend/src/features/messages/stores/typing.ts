import { create } from 'zustand';

/** How long a "typing" signal lasts without a repeat; senders repeat it every few seconds while typing. */
export const TYPING_TTL_MS = 5_000;

interface TypingState {
  /** chatId → userId → expiry (ms since epoch). */
  byChat: Record<string, Record<string, number>>;
  typing(chatId: string, userId: string, now?: number): void;
  stop(chatId: string, userId: string): void;
}

export const useTyping = create<TypingState>()((set) => ({
  byChat: {},
  typing: (chatId, userId, now = Date.now()) =>
    set((s) => ({ byChat: { ...s.byChat, [chatId]: { ...s.byChat[chatId], [userId]: now + TYPING_TTL_MS } } })),
  stop: (chatId, userId) =>
    set((s) => {
      const chat = s.byChat[chatId];
      if (!chat?.[userId]) return s;
      const { [userId]: _gone, ...rest } = chat;
      return { byChat: { ...s.byChat, [chatId]: rest } };
    }),
}));
