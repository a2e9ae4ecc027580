import type { AttachmentResponseDto } from '@messenger/api-client';
import { create } from 'zustand';

/** A message typed here that the server has not confirmed yet; client state until its ack turns it into a cached message. */
export interface OutboxEntry {
  clientId: string;
  chatId: string;
  body: string;
  replyToId?: string;
  /** Uploaded and verified files sent with it, shown in the pending bubble too. */
  attachments?: AttachmentResponseDto[];
  createdAt: string;
  status: 'sending' | 'failed';
  error?: string;
}

interface OutboxState {
  entries: Record<string, OutboxEntry>;
  add(entry: OutboxEntry): void;
  setStatus(clientId: string, status: OutboxEntry['status'], error?: string): void;
  remove(clientId: string): void;
}

export const useOutbox = create<OutboxState>()((set) => ({
  entries: {},
  add: (entry) => set((s) => ({ entries: { ...s.entries, [entry.clientId]: entry } })),
  setStatus: (clientId, status, error) =>
    set((s) => {
      const entry = s.entries[clientId];
      return entry ? { entries: { ...s.entries, [clientId]: { ...entry, status, error } } } : s;
    }),
  remove: (clientId) =>
    set((s) => {
      if (!(clientId in s.entries)) return s;
      const { [clientId]: _gone, ...rest } = s.entries;
      return { entries: rest };
    }),
}));
