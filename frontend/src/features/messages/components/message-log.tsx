import type { MessageResponseDto } from '@messenger/api-client';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useT } from '@/lib/i18n';
import { useDeleteMessage } from '../api/delete-message';
import { useSendMessage } from '../api/send-message';
import type { History } from '../api/use-history';
import { useComposer } from '../stores/composer';
import { useOutbox } from '../stores/outbox';
import { useStartEditing } from './use-start-editing';
import type { MessageListProps } from './message-list';
import { MessageItem } from './message-item';
import { UnreadDivider } from './unread-divider';
import { useMessageRows } from './use-message-rows';

// Within this many pixels of the bottom counts as "at the bottom" (new messages keep it pinned there).
const BOTTOM_SLACK = 48;
const LOAD_MORE_AT = 400;

/** The virtualised log: scroll anchoring, paging in both directions, read reporting, and the rows themselves. */
export function MessageLog({ chatId, meId, members, isGroup, unreadAfterSeq, onRead, focusSeq, onLeaveFocus, history }: MessageListProps & { history: History }) {
  const t = useT();
  const { messages, hasOlder, isFetchingOlder, fetchOlder, hasNewer, isFetchingNewer, fetchNewer } = history;
  const { retry } = useSendMessage(chatId);
  const del = useDeleteMessage(chatId);
  const startEditing = useStartEditing(chatId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const focused = focusSeq !== undefined;
  const stick = useRef(!focused);
  const [atBottom, setAtBottom] = useState(!focused);

  const rows = useMessageRows(chatId, meId, messages, unreadAfterSeq, !hasNewer);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  // The virtualizer is mutable by design; this component does not rely on compiler memoisation.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 10,
    getItemKey: (i) => rows[i]!.key,
  });
  const totalSize = virtualizer.getTotalSize();

  const nameOf = useCallback((userId: string | null) => members.find((m) => m.userId === userId)?.displayName ?? t('messages.someone'), [members, t]);
  const receipt = (message: MessageResponseDto) => {
    const readers = members.filter((m) => m.userId !== meId && m.lastReadSeq >= message.seq).length;
    if (readers === 0) return t('messages.sent');
    return isGroup ? t('messages.readBy', { count: readers }) : t('messages.read');
  };

  const scrollToBottom = useCallback(() => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  // Older pages are prepended: keep the messages on screen where they were.
  const prev = useRef<{ firstKey?: string; total: number }>({ total: 0 });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    // The divider may sit on top of the loaded page and move with it: anchor on the oldest message instead.
    const firstKey = rows.find((r) => !('divider' in r))?.key;
    if (el && prev.current.firstKey && firstKey !== prev.current.firstKey && !stick.current && rows.some((r) => r.key === prev.current.firstKey)) {
      el.scrollTop += totalSize - prev.current.total;
    }
    prev.current = { firstKey, total: totalSize };
  }, [rows, totalSize]);

  // Pinned to the bottom, the view follows new messages and late measurements.
  useLayoutEffect(() => {
    if (stick.current) scrollToBottom();
  }, [totalSize, rows.length, scrollToBottom]);

  // On open: at the found message, else at the unread divider when there is one, else at the bottom.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current || !history.isSuccess) return;
    opened.current = true;
    const target = focused ? rows.findIndex((r) => !('divider' in r) && r.message.seq === focusSeq) : rows.findIndex((r) => 'divider' in r);
    if (target >= 0 && (focused || target > 0)) {
      stick.current = false;
      virtualizer.scrollToIndex(target, { align: focused ? 'center' : 'start' });
    } else {
      stick.current = true;
      scrollToBottom();
    }
  }, [focused, focusSeq, history.isSuccess, rows, virtualizer, scrollToBottom]);

  // Sending while reading an old part of the chat returns you to its live end, where the message appears.
  const sendingHere = useOutbox((s) => Object.values(s.entries).some((e) => e.chatId === chatId && e.status === 'sending'));
  useEffect(() => {
    if (focused && sendingHere) onLeaveFocus?.();
  }, [focused, sendingHere, onLeaveFocus]);

  const newest = messages.at(-1)?.seq ?? 0;
  const reportRead = useCallback(() => {
    if (stick.current && newest > 0 && document.visibilityState === 'visible') onRead(newest);
  }, [newest, onRead]);
  useEffect(() => {
    reportRead();
    document.addEventListener('visibilitychange', reportRead);
    return () => document.removeEventListener('visibilitychange', reportRead);
  }, [reportRead, atBottom]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    const bottom = fromBottom <= BOTTOM_SLACK && !hasNewer;
    stick.current = bottom;
    if (bottom !== atBottom) setAtBottom(bottom);
    if (el.scrollTop < LOAD_MORE_AT && hasOlder && !isFetchingOlder) fetchOlder();
    if (fromBottom < LOAD_MORE_AT && hasNewer && !isFetchingNewer) fetchNewer();
  };
  // A first page shorter than the viewport gives nothing to scroll: keep loading until it fills.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && hasOlder && !isFetchingOlder && el.scrollHeight <= el.clientHeight + LOAD_MORE_AT) fetchOlder();
  }, [hasOlder, isFetchingOlder, fetchOlder, totalSize]);

  const jumpToLatest = () => {
    if (focused) return onLeaveFocus?.();
    stick.current = true;
    setAtBottom(true);
    scrollToBottom();
  };

  return (
    <div className="relative min-h-0 flex-1">
      <div ref={scrollRef} onScroll={onScroll} role="log" aria-label={t('messages.log')} className="h-full overflow-y-auto overscroll-contain py-2" tabIndex={0}>
        {isFetchingOlder ? <p className="py-2 text-center text-xs text-slate-500">{t('messages.loadingOlder')}</p> : null}
        {history.isSuccess && !hasOlder ? <p className="py-2 text-center text-xs text-slate-500">{t('messages.start')}</p> : null}
        <div style={{ height: totalSize, position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
                {'divider' in row ? (
                  <UnreadDivider />
                ) : (
                  <MessageItem
                    message={row.message}
                    mine={row.message.senderId === meId}
                    senderName={isGroup ? nameOf(row.message.senderId) : undefined}
                    receipt={row.message.senderId === meId && !row.pending ? receipt(row.message) : undefined}
                    pending={row.pending}
                    highlighted={focused && !row.pending && row.message.seq === focusSeq}
                    replyTo={replyPreview(row.message, byId, nameOf, t('messages.unknownMessage'))}
                    onReply={(m) => useComposer.getState().setReplyTo(chatId, m.id)}
                    onEdit={startEditing}
                    onDelete={(m) => del.mutate({ path: { id: m.id } })}
                    onRetry={(clientId) => void retry(clientId)}
                  />
                )}
              </div>
            );
          })}
        </div>
        {isFetchingNewer ? <p className="py-2 text-center text-xs text-slate-500">{t('messages.loadingNewer')}</p> : null}
      </div>
      {!atBottom ? (
        <button
          type="button"
          onClick={jumpToLatest}
          className="absolute right-4 bottom-4 rounded-full bg-white px-3 py-2 text-sm font-medium shadow-lg ring-1 ring-slate-200 hover:bg-slate-50 dark:bg-slate-800 dark:ring-slate-700"
        >
          {t('messages.jumpToLatest')} <span aria-hidden>↓</span>
        </button>
      ) : null}
    </div>
  );
}

function replyPreview(message: MessageResponseDto, byId: Map<string, MessageResponseDto>, nameOf: (id: string | null) => string, unknown: string) {
  if (!message.replyToId) return undefined;
  const target = byId.get(message.replyToId);
  return target ? { name: nameOf(target.senderId), text: target.body ?? '…' } : { name: '', text: unknown };
}
