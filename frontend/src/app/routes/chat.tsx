import type { PublicUserDto } from '@messenger/api-client';
import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { ChatHeader, MembersDialog, useChat, useMarkChatRead } from '@/features/chats';
import { Composer, MessageList, useTypingText, type MemberInfo } from '@/features/messages';
import { UserSearch } from '@/features/users';
import { apiErrorStatus } from '@/lib/api-client';
import { useT } from '@/lib/i18n';
import { useSession } from '@/lib/session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function ChatRoute() {
  const { chatId = '' } = useParams();
  // Keyed by chat so per-chat refs (read marker, scroll) start fresh on every switch.
  return UUID.test(chatId) ? <ChatView key={chatId} chatId={chatId} /> : <ChatNotFound />;
}

function ChatNotFound() {
  const t = useT();
  return (
    <div className="m-auto p-8 text-center" role="alert">
      <p className="text-sm text-slate-500">{t('chats.notFound')}</p>
    </div>
  );
}

function ChatView({ chatId }: { chatId: string }) {
  const t = useT();
  const me = useSession((s) => s.user)!;
  const chat = useChat(chatId);
  const markRead = useMarkChatRead(chatId);
  const [membersOpen, setMembersOpen] = useState(false);
  const members = useMemo<MemberInfo[]>(
    () => chat.data?.members.map((m) => ({ userId: m.userId, displayName: m.user.displayName, lastReadSeq: m.lastReadSeq })) ?? [],
    [chat.data],
  );
  const typing = useTypingText(chatId, members);
  // Captured once: the divider stays where the unread part began while you read it.
  const [unreadAfterSeq] = useState(() => chat.data?.members.find((m) => m.userId === me.id)?.lastReadSeq);

  if (chat.isPending) return <Spinner label={t('auth.restoring')} />;
  if (chat.isError || !chat.data) return apiErrorStatus(chat.error) === 404 || !chat.data ? <ChatNotFound /> : <p role="alert">{t('common.error')}</p>;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ChatHeader
        chat={chat.data}
        meId={me.id}
        activity={typing}
        actions={
          chat.data.type === 'group' ? (
            <Button variant="ghost" size="sm" onClick={() => setMembersOpen(true)}>
              {t('chats.members')}
            </Button>
          ) : null
        }
      />
      <MessageList
        chatId={chatId}
        meId={me.id}
        members={members}
        isGroup={chat.data.type !== 'direct'}
        unreadAfterSeq={unreadAfterSeq ?? chat.data.members.find((m) => m.userId === me.id)?.lastReadSeq ?? 0}
        onRead={markRead}
      />
      <Composer chatId={chatId} members={members} />
      {chat.data.type === 'group' ? (
        <MembersDialog
          chat={chat.data}
          meId={me.id}
          open={membersOpen}
          onClose={() => setMembersOpen(false)}
          renderPicker={({ onPick, excludeIds }: { onPick(user: PublicUserDto): void; excludeIds: ReadonlySet<string> }) => (
            <UserSearch onPick={onPick} excludeIds={excludeIds} />
          )}
        />
      ) : null}
    </div>
  );
}
