import type { ChatListResponseDto, MessageResponseDto } from '@messenger/api-client';
import { listChatsQueryKey } from '@messenger/api-client/react-query';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Link, Outlet, useNavigate, useParams } from 'react-router';
import { Button } from '@/components/ui/button';
import { ChatList, chatTitle, useTotalUnread } from '@/features/chats';
import { SearchBox } from '@/features/search';
import { useDesktopNotifications } from '@/hooks/use-desktop-notifications';
import { useDocumentTitle } from '@/hooks/use-document-title';
import { useT } from '@/lib/i18n';
import { useSession } from '@/lib/session';
import { cn } from '@/utils/cn';
import { ConnectionBanner } from '../components/connection-banner';
import { NewChatDialog } from '../components/new-chat-dialog';
import { SettingsDialog } from '../components/settings-dialog';
import { useRealtime } from '../realtime';

/** Two columns from 768 px; below that, the list or the open chat (with a back button). */
export function ChatsLayout() {
  const t = useT();
  const me = useSession((s) => s.user)!;
  const { chatId } = useParams();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'new' | 'settings' | null>(null);
  const [searching, setSearching] = useState(false);
  const navigate = useNavigate();
  const notify = useDesktopNotifications();

  const onMessage = useCallback(
    (m: MessageResponseDto) => {
      if (m.senderId === me.id || !m.body) return;
      const chats = queryClient.getQueryData<ChatListResponseDto>(listChatsQueryKey());
      const chat = chats?.items.find((c) => c.id === m.chatId);
      const sender = chat?.members.find((x) => x.userId === m.senderId)?.user.displayName ?? '';
      notify({ tag: m.chatId, title: chat ? chatTitle(chat, me.id) : t('notifications.newMessage', { name: sender }), body: m.body, url: `/chats/${m.chatId}` });
    },
    [me.id, notify, queryClient, t],
  );
  useRealtime(me.id, onMessage);
  useDocumentTitle(t('appName'), useTotalUnread());

  const actions = (
    <>
      <Button size="sm" onClick={() => setDialog('new')}>
        {t('chats.new')}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setDialog('settings')} aria-label={t('settings.title')}>
        <span aria-hidden>⚙</span>
      </Button>
    </>
  );

  return (
    <div className="flex h-full flex-col">
      <ConnectionBanner />
      <div className="flex min-h-0 flex-1">
        <aside className={cn('w-full shrink-0 flex-col border-r border-slate-200 md:flex md:w-80 lg:w-96 dark:border-slate-800', chatId ? 'hidden' : 'flex')}>
          {/* Channel operators are named per channel, not by account role, so every account has the entry; outside
              the chat list's navigation, so its links stay the chats alone. */}
          <div className="border-b border-slate-200 px-3 py-2 dark:border-slate-800">
            <Link to="/inbox" className="rounded px-2 py-1 text-sm text-blue-600 hover:bg-slate-100 dark:text-blue-400 dark:hover:bg-slate-800">
              {t('inbox.nav')}
            </Link>
          </div>
          <SearchBox onOpen={(hit) => navigate(`/chats/${hit.chat.id}?message=${hit.message.seq}`)} onActiveChange={setSearching} />
          <div className={cn('min-h-0 flex-1', searching ? 'hidden' : 'flex')}>
            <ChatList meId={me.id} actions={actions} />
          </div>
        </aside>
        <main className={cn('min-w-0 flex-1 flex-col md:flex', chatId ? 'flex' : 'hidden')}>
          <Outlet />
        </main>
      </div>
      <NewChatDialog open={dialog === 'new'} onClose={() => setDialog(null)} meId={me.id} />
      <SettingsDialog open={dialog === 'settings'} onClose={() => setDialog(null)} />
    </div>
  );
}

export function NoChatSelected() {
  const t = useT();
  return <p className="m-auto p-8 text-center text-sm text-slate-500">{t('chats.select')}</p>;
}
