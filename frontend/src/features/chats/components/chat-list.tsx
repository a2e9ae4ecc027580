import { useMemo, useState, type ReactNode } from 'react';
import { inputClass } from '@/components/ui/field';
import { Spinner } from '@/components/ui/spinner';
import { useT } from '@/lib/i18n';
import { useChats } from '../api/get-chats';
import { usePresenceSnapshot } from '../api/get-presence';
import { chatTitle, otherMember } from '../utils';
import { ChatListItem } from './chat-list-item';

export interface ChatListProps {
  meId: string;
  /** Controls shown above the list (new chat, settings). */
  actions?: ReactNode;
}

export function ChatList({ meId, actions }: ChatListProps) {
  const t = useT();
  const chats = useChats();
  const [search, setSearch] = useState('');
  const partners = useMemo(
    () => (chats.data?.items ?? []).flatMap((c) => (c.type === 'direct' ? [otherMember(c, meId)?.userId ?? ''] : [])).filter(Boolean),
    [chats.data, meId],
  );
  usePresenceSnapshot(partners);
  const items = useMemo(() => {
    const all = chats.data?.items ?? [];
    const term = search.trim().toLocaleLowerCase();
    if (!term) return all;
    return all.filter((c) => chatTitle(c, meId).toLocaleLowerCase().includes(term) || c.lastMessage?.body?.toLocaleLowerCase().includes(term));
  }, [chats.data, search, meId]);

  return (
    <nav aria-label={t('chats.nav')} className="flex h-full min-h-0 w-full flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 p-3 dark:border-slate-800">
        <h1 className="mr-auto text-lg font-semibold">{t('chats.nav')}</h1>
        {actions}
      </div>
      <div className="p-3">
        <input type="search" aria-label={t('chats.search')} placeholder={t('chats.search')} className={inputClass} value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto">
        {chats.isPending ? (
          <Spinner label={t('auth.restoring')} />
        ) : chats.isError ? (
          <p className="p-4 text-sm text-red-600">{t('common.error')}</p>
        ) : items.length === 0 ? (
          <p className="p-4 text-sm text-slate-500">{search ? t('chats.noMatches') : t('chats.empty')}</p>
        ) : (
          <ul>
            {items.map((chat) => (
              <ChatListItem key={chat.id} chat={chat} meId={meId} />
            ))}
          </ul>
        )}
      </div>
    </nav>
  );
}
