import { create } from 'zustand';

interface ComposerState {
  drafts: Record<string, string>;
  replyTo: Record<string, string | undefined>;
  editing: Record<string, string | undefined>;
  setDraft(chatId: string, text: string): void;
  setReplyTo(chatId: string, messageId: string | undefined): void;
  setEditing(chatId: string, messageId: string | undefined): void;
}

/** Per-chat drafts, reply target and the message being edited: switching chats keeps each one's state. */
export const useComposer = create<ComposerState>()((set) => ({
  drafts: {},
  replyTo: {},
  editing: {},
  setDraft: (chatId, text) => set((s) => ({ drafts: { ...s.drafts, [chatId]: text } })),
  setReplyTo: (chatId, messageId) => set((s) => ({ replyTo: { ...s.replyTo, [chatId]: messageId }, editing: { ...s.editing, [chatId]: undefined } })),
  setEditing: (chatId, messageId) => set((s) => ({ editing: { ...s.editing, [chatId]: messageId }, replyTo: { ...s.replyTo, [chatId]: undefined } })),
}));
