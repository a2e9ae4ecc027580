export { MessageList, type MessageListProps } from './components/message-list';
export { Composer } from './components/composer';
export { useTypingText } from './components/typing-indicator';
export { useMessages } from './api/get-messages';
export { applyAttachmentUpdated, applyDeleted, applyIncoming, applyTyping, applyUpdated, resyncMessages } from './realtime';
export type { MemberInfo } from './types';
export { ScheduledMessages } from './components/scheduled-messages';
