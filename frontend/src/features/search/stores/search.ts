import { create } from 'zustand';

/** UI state of the search box: which chat it is limited to, and a counter that asks it to take the focus. */
interface SearchState {
  scope: { chatId: string; title: string } | null;
  focusRequest: number;
  searchIn(chatId: string, title: string): void;
  searchEverywhere(): void;
  clearScope(): void;
}

export const useSearchState = create<SearchState>((set) => ({
  scope: null,
  focusRequest: 0,
  searchIn: (chatId, title) => set((s) => ({ scope: { chatId, title }, focusRequest: s.focusRequest + 1 })),
  searchEverywhere: () => set((s) => ({ focusRequest: s.focusRequest + 1 })),
  clearScope: () => set({ scope: null }),
}));

/** "Search in this chat": limits the search box to the chat and moves the focus into it. */
export const searchInChat = (chatId: string, title: string) => useSearchState.getState().searchIn(chatId, title);
