export const THREAD_STATUSES = ['open', 'pending', 'resolved', 'snoozed'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];
/** Who answers the customer: the channel's AI agent, or people (see the owner state machine in ARCHITECTURE.md). */
export const THREAD_OWNERS = ['ai', 'human'] as const;
export type ThreadOwner = (typeof THREAD_OWNERS)[number];

/** What a thread is about: the Avito listing the customer wrote from. */
export interface ThreadContext {
  itemId?: string;
  title?: string;
  price?: string;
  url?: string;
  imageUrl?: string;
}

/** The inbox side of a chat of type `inbox` (table `inbox_threads`, keyed by the chat id): one per (channel, external chat). */
export interface InboxThreadRow {
  chatId: string;
  channelId: string;
  externalChatId: string;
  contactId: string;
  status: ThreadStatus;
  owner: ThreadOwner;
  /** The AI agent's answer offered to the operators (draft mode), until used or discarded. */
  aiDraft: string | null;
  aiDraftAt: Date | null;
  assigneeId: string | null;
  /** While snoozed: when the thread opens again by itself. */
  snoozedUntil: Date | null;
  context: ThreadContext | null;
  lastActivityAt: Date;
  createdAt: Date;
  updatedAt: Date;
}
