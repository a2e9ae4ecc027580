export { useChat, chatQueryKey } from './api/get-chat';
export { useChats, useTotalUnread } from './api/get-chats';
export { useCreateChat } from './api/create-chat';
export { useMarkChatRead } from './api/mark-read';
export { ChatList } from './components/chat-list';
export { ChatHeader } from './components/chat-header';
export { MembersDialog } from './components/members-dialog';
export { applyChangedMessage, applyChatChanged, applyChatRemoved, applyChatSnapshot, applyNewMessage, applyPresence, applyRead } from './realtime';
export { chatTitle } from './utils';
