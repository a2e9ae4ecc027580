import type { ChatResponseDto, PublicUserDto } from '@messenger/api-client';
import { useCallback, useMemo, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { ChatHeader, chatTitle, MembersDialog, useChat, useMarkChatRead } from '@/features/chats';
import { Composer, MessageList, ScheduledMessages, useTypingText, type MemberInfo } from '@/features/messages';
import { searchInChat } from '@/features/search';
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
  const chat = useChat(chatId);
  if (chat.isPending) return <Spinner label={t('auth.restoring')} />;
  if (!chat.data) return apiErrorStatus(chat.error) === 404 ? <ChatNotFound /> : <p role="alert">{t('common.error')}</p>;
  return <OpenChat chat={chat.data} />;
}

/** Mounted once the chat is known, so what was unread at that moment can be captured. */
function OpenChat({ chat }: { chat: ChatResponseDto }) {
  const t = useT();
  const me = useSession((s) => s.user)!;
  const markRead = useMarkChatRead(chat.id);
  const [membersOpen, setMembersOpen] = useState(false);
  // ?message=<seq>: opened from a search hit, at that message.
  const [params, setParams] = useSearchParams();
  const focusSeq = Number(params.get('message')) || undefined;
  const leaveFocus = useCallback(() => setParams({}, { replace: true }), [setParams]);
  const members = useMemo<MemberInfo[]>(
    () => chat.members.map((m) => ({ userId: m.userId, displayName: m.user.displayName, lastReadSeq: m.lastReadSeq })),
    [chat.members],
  );
  const typing = useTypingText(chat.id, members);
  // Captured once: the divider stays where the unread part began while you read it, and messages that
  // arrive while the chat is open never get one.
  const [unreadAfterSeq] = useState(() => {
    const read = chat.members.find((m) => m.userId === me.id)?.lastReadSeq ?? 0;
    return chat.lastMessageSeq > read ? read : Number.MAX_SAFE_INTEGER;
  });

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ChatHeader
        chat={chat}
        meId={me.id}
        activity={typing}
        actions={
          <>
            <Button variant="ghost" size="sm" onClick={() => searchInChat(chat.id, chatTitle(chat, me.id))}>
              {t('search.inChat')}
            </Button>
            {chat.type === 'group' ? (
              <Button variant="ghost" size="sm" onClick={() => setMembersOpen(true)}>
                {t('chats.members')}
              </Button>
            ) : null}
          </>
        }
      />
      <MessageList
        key={focusSeq ?? 'live'}
        chatId={chat.id}
        meId={me.id}
        members={members}
        isGroup={chat.type !== 'direct'}
        unreadAfterSeq={unreadAfterSeq}
        onRead={markRead}
        focusSeq={focusSeq}
        onLeaveFocus={leaveFocus}
      />
      <ScheduledMessages chatId={chat.id} />
      <Composer chatId={chat.id} members={members} />
      {chat.type === 'group' ? (
        <MembersDialog
          chat={chat}
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
