import type { MessageResponseDto } from '@messenger/api-client';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useT } from '@/lib/i18n';
import { useDeleteMessage } from '../api/delete-message';
import { useMessages } from '../api/get-messages';
import { useSendMessage } from '../api/send-message';
import { useOutbox } from '../stores/outbox';
import { useComposer } from '../stores/composer';
import type { MemberInfo, MessageRow } from '../types';
import { flattenAscending } from '../utils/merge';
import { MessageItem } from './message-item';
import { useStartEditing } from './composer';

export interface MessageListProps {
  chatId: string;
  meId: string;
  members: MemberInfo[];
  isGroup: boolean;
  /** Your read marker when the chat was opened (or +∞ when nothing was unread): the unread divider goes after it. */
  unreadAfterSeq: number;
  /** Called with the newest seq on screen while you are at the bottom of a visible page. */
  onRead(seq: number): void;
}

type Row = MessageRow | { key: 'unread-divider'; divider: true };

// Within this many pixels of the bottom counts as "at the bottom" (new messages keep it pinned there).
const BOTTOM_SLACK = 48;
const LOAD_OLDER_AT = 400;

export function MessageList({ chatId, meId, members, isGroup, unreadAfterSeq, onRead }: MessageListProps) {
  const t = useT();
  const query = useMessages(chatId);
  const outbox = useOutbox((s) => s.entries);
  const { retry } = useSendMessage(chatId);
  const del = useDeleteMessage(chatId);
  const startEditing = useStartEditing(chatId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const messages = useMemo(() => flattenAscending(query.data), [query.data]);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    let dividerPlaced = false;
    for (const message of messages) {
      if (!dividerPlaced && message.seq > unreadAfterSeq && message.senderId !== meId) {
        out.push({ key: 'unread-divider', divider: true });
        dividerPlaced = true;
      }
      out.push({ key: message.clientId && message.senderId === meId ? `c:${message.clientId}` : message.id, message });
    }
    const stored = new Set(messages.map((m) => m.clientId));
    for (const entry of Object.values(outbox)) {
      if (entry.chatId !== chatId || stored.has(entry.clientId)) continue;
      out.push({
        key: `c:${entry.clientId}`,
        pending: entry.status,
        // Shaped like a stored message so one component renders both; asserted because the DTO keeps growing.
        message: { id: entry.clientId, chatId, seq: Number.MAX_SAFE_INTEGER, senderId: meId, clientId: entry.clientId, body: entry.body, replyToId: entry.replyToId ?? null, createdAt: entry.createdAt, editedAt: null, deletedAt: null, attachments: entry.attachments ?? [] } as MessageResponseDto,
      });
    }
    return out;
  }, [messages, outbox, chatId, meId, unreadAfterSeq]);

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

  // On open, start at the unread divider when there is one.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (opened.current === chatId || !query.isSuccess) return;
    opened.current = chatId;
    const divider = rows.findIndex((r) => 'divider' in r);
    if (divider > 0) {
      stick.current = false;
      virtualizer.scrollToIndex(divider, { align: 'start' });
    } else {
      stick.current = true;
      scrollToBottom();
    }
  }, [chatId, query.isSuccess, rows, virtualizer, scrollToBottom]);

  const newest = messages.at(-1)?.seq ?? 0;
  const reportRead = useCallback(() => {
    if (stick.current && newest > 0 && document.visibilityState === 'visible') onRead(newest);
  }, [newest, onRead]);
  useEffect(() => {
    reportRead();
    document.addEventListener('visibilitychange', reportRead);
    return () => document.removeEventListener('visibilitychange', reportRead);
  }, [reportRead, atBottom]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    stick.current = bottom;
    if (bottom !== atBottom) setAtBottom(bottom);
    if (el.scrollTop < LOAD_OLDER_AT && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };
  // A first page shorter than the viewport gives nothing to scroll: keep loading until it fills.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && hasNextPage && !isFetchingNextPage && el.scrollHeight <= el.clientHeight + LOAD_OLDER_AT) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, totalSize]);

  const jumpToLatest = () => {
    stick.current = true;
    setAtBottom(true);
    scrollToBottom();
  };

  return (
    <div className="relative min-h-0 flex-1">
      <div ref={scrollRef} onScroll={onScroll} role="log" aria-label={t('messages.log')} className="h-full overflow-y-auto overscroll-contain py-2" tabIndex={0}>
        {isFetchingNextPage ? <p className="py-2 text-center text-xs text-slate-500">{t('messages.loadingOlder')}</p> : null}
        {query.isSuccess && !hasNextPage ? <p className="py-2 text-center text-xs text-slate-500">{t('messages.start')}</p> : null}
        <div style={{ height: totalSize, position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
                {'divider' in row ? (
                  <div className="my-2 flex items-center gap-2 px-3 text-xs font-medium text-blue-600 dark:text-blue-400" role="separator" aria-label={t('messages.unreadMarker')}>
                    <span className="h-px flex-1 bg-blue-300 dark:bg-blue-800" />
                    {t('messages.unreadMarker')}
                    <span className="h-px flex-1 bg-blue-300 dark:bg-blue-800" />
                  </div>
                ) : (
                  <MessageItem
                    message={row.message}
                    mine={row.message.senderId === meId}
                    senderName={isGroup ? nameOf(row.message.senderId) : undefined}
                    receipt={row.message.senderId === meId && !row.pending ? receipt(row.message) : undefined}
                    pending={row.pending}
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
