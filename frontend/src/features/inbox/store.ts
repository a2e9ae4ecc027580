import { create } from 'zustand';
import type { ThreadStatus } from '@messenger/api-client';

export type InboxTab = 'mine' | 'unassigned' | 'all';

interface InboxFilterState {
  tab: InboxTab;
  status: ThreadStatus | '';
  channelId: string;
  labelId: string;
  q: string;
  set(patch: Partial<Omit<InboxFilterState, 'set'>>): void;
}

/** The list's filters outlive navigation between threads. */
export const useInboxFilters = create<InboxFilterState>()((set) => ({
  tab: 'all',
  status: 'open',
  channelId: '',
  labelId: '',
  q: '',
  set: (patch) => set(patch),
}));
