import type { ChatResponseDto } from '@messenger/api-client';
import { NavLink } from 'react-router';
import { Avatar } from '@/components/ui/avatar';
import { useT } from '@/lib/i18n';
import { useDateFormat } from '@/lib/i18n/format';
import { cn } from '@/utils/cn';
import { usePresence } from '../api/presence';
import { chatTitle, otherMember } from '../utils';

export interface ChatListItemProps {
  chat: ChatResponseDto;
  meId: string;
}

export function ChatListItem({ chat, meId }: ChatListItemProps) {
  const t = useT();
  const dates = useDateFormat();
  const title = chatTitle(chat, meId);
  const other = chat.type === 'direct' ? otherMember(chat, meId) : undefined;
  const online = usePresence(other?.userId)?.online === true;
  const last = chat.lastMessage;
  const attached = last?.attachments?.[0];
  const attachmentLabel = attached ? (attached.contentType.startsWith('image/') ? t('attachments.photo') : attached.fileName) : '';
  const preview = !last
    ? t('chats.noMessages')
    : last.deletedAt || last.body === null
      ? t('chats.deletedMessage')
      : last.body || attachmentLabel;
  const fromMe = last?.senderId === meId;
  const descId = `chat-${chat.id}-desc`;

  return (
    <li>
      <NavLink
        to={`/chats/${chat.id}`}
        aria-label={title}
        aria-describedby={descId}
        className={({ isActive }) =>
          cn(
            'flex items-center gap-3 px-3 py-2 hover:bg-slate-100 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-500 dark:hover:bg-slate-900',
            isActive && 'bg-blue-50 dark:bg-slate-800',
          )
        }
      >
        <Avatar name={title} seed={chat.id} online={online} />
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline justify-between gap-2">
            <span className="truncate font-medium">{title}</span>
            {last ? (
              <time dateTime={last.createdAt} className="shrink-0 text-xs text-slate-500">
                {dates.short(last.createdAt)}
              </time>
            ) : null}
          </span>
          <span id={descId} className="flex items-center justify-between gap-2">
            <span className="truncate text-sm text-slate-500">
              {fromMe ? `${t('chats.you')}: ` : ''}
              {preview}
            </span>
            {chat.unreadCount > 0 ? (
              <span
                className="shrink-0 rounded-full bg-blue-600 px-2 py-0.5 text-xs font-semibold text-white"
                aria-label={t('chats.unread', { count: chat.unreadCount })}
              >
                {chat.unreadCount}
              </span>
            ) : null}
            {online ? <span className="sr-only">{t('chats.online')}</span> : null}
          </span>
        </span>
      </NavLink>
    </li>
  );
}
