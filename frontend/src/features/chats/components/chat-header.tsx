import type { ChatResponseDto } from '@messenger/api-client';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Avatar } from '@/components/ui/avatar';
import { useT } from '@/lib/i18n';
import { useDateFormat } from '@/lib/i18n/format';
import { usePresence } from '../api/presence';
import { chatTitle, otherMember } from '../utils';

export interface ChatHeaderProps {
  chat: ChatResponseDto;
  meId: string;
  /** Replaces the status line while someone types. */
  activity?: ReactNode;
  actions?: ReactNode;
}

export function ChatHeader({ chat, meId, activity, actions }: ChatHeaderProps) {
  const t = useT();
  const dates = useDateFormat();
  const title = chatTitle(chat, meId);
  const other = chat.type === 'direct' ? otherMember(chat, meId) : undefined;
  const presence = usePresence(other?.userId);
  const status =
    chat.type !== 'direct'
      ? t('chats.membersCount', { count: chat.members.length })
      : presence?.online
        ? t('chats.online')
        : presence?.lastSeenAt
          ? t('chats.lastSeen', { time: dates.full(presence.lastSeenAt) })
          : '';

  return (
    <header className="flex items-center gap-3 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
      <Link to="/" aria-label={t('chats.back')} className="rounded-lg p-2 text-xl leading-none hover:bg-slate-100 md:hidden dark:hover:bg-slate-800">
        ←
      </Link>
      <Avatar name={title} seed={chat.id} online={presence?.online} />
      <div className="min-w-0 flex-1">
        <h2 className="truncate font-semibold">{title}</h2>
        <p className="truncate text-xs text-slate-500" aria-live="polite">
          {activity ?? status}
        </p>
      </div>
      {actions}
    </header>
  );
}
