import type { ThreadResponseDto, ThreadStatus } from '@messenger/api-client';
import { useEffect, useMemo } from 'react';
import { Link, useNavigate } from 'react-router';
import { Avatar } from '@/components/ui/avatar';
import { useT, useLocale, type MessageKey } from '@/lib/i18n';
import { formatShort } from '@/lib/i18n/format';
import { cn } from '@/utils/cn';
import { onSocketEvent } from '@/lib/socket';
import { useChannels, useCounts, useInvalidateInbox, useLabels, useThreads } from '../api';
import { useInboxFilters, type InboxTab } from '../store';
import { CHANNEL_LABELS } from './channel-label';

export const STATUSES: ThreadStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
const TABS: InboxTab[] = ['mine', 'unassigned', 'all'];

/** The thread list with its tabs and filters; j/k move through it. */
export function ThreadList({ activeChatId }: { activeChatId?: string }) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const navigate = useNavigate();
  const filters = useInboxFilters();
  const base = {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.channelId ? { channelId: filters.channelId } : {}),
    ...(filters.labelId ? { labelId: filters.labelId } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
  };
  const assignee = filters.tab === 'mine' ? 'me' : filters.tab === 'unassigned' ? 'none' : undefined;
  const threads = useThreads({ ...base, ...(assignee ? { assignee } : {}) });
  const counts = useCounts(base);
  const channels = useChannels();
  const labels = useLabels();
  const items = useMemo(() => threads.data?.items ?? [], [threads.data]);
  const invalidate = useInvalidateInbox();

  // Live: a new or changed thread, or a new message in one, refreshes the list and the counts.
  useEffect(() => {
    const refresh = () => void invalidate();
    const offThread = onSocketEvent('thread:updated', refresh);
    const offMessage = onSocketEvent('message:new', refresh);
    return () => {
      offThread();
      offMessage();
    };
  }, [invalidate]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (e.metaKey || e.ctrlKey || e.altKey || (e.key !== 'j' && e.key !== 'k')) return;
      const index = items.findIndex((i) => i.chat.id === activeChatId);
      const next = e.key === 'j' ? Math.min(items.length - 1, index + 1) : Math.max(0, index - 1);
      const thread = items[next];
      if (thread) navigate(`/inbox/${thread.chat.id}`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, activeChatId, navigate]);

  return (
    <div className="flex min-h-0 w-full flex-col">
      <div role="tablist" aria-label={t('inbox.nav')} className="flex gap-1 border-b border-slate-200 p-2 dark:border-slate-800">
        {TABS.map((tab) => (
          <button
            key={tab}
            role="tab"
            type="button"
            aria-selected={filters.tab === tab}
            aria-label={t(`inbox.tab.${tab}` as MessageKey)}
            aria-describedby={`inbox-count-${tab}`}
            onClick={() => filters.set({ tab })}
            className={cn('rounded px-3 py-1 text-sm', filters.tab === tab ? 'bg-blue-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800')}
          >
            {t(`inbox.tab.${tab}` as MessageKey)}{' '}
            <span id={`inbox-count-${tab}`} className="tabular-nums opacity-80">
              {counts.data ? counts.data[tab].toLocaleString(locale) : '…'}
            </span>
          </button>
        ))}
      </div>
      <div className="grid grid-cols-2 gap-2 border-b border-slate-200 p-2 text-sm dark:border-slate-800">
        <input
          type="search"
          aria-label={t('inbox.search')}
          placeholder={t('inbox.search')}
          value={filters.q}
          onChange={(e) => filters.set({ q: e.target.value })}
          className="col-span-2 rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
        />
        <select aria-label={t('inbox.filter.status')} value={filters.status} onChange={(e) => filters.set({ status: e.target.value as ThreadStatus | '' })} className="rounded border border-slate-300 px-1 py-1 dark:border-slate-700 dark:bg-slate-900">
          <option value="">{t('inbox.filter.anyStatus')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`inbox.status.${s}` as MessageKey)}
            </option>
          ))}
        </select>
        <select aria-label={t('inbox.filter.channel')} value={filters.channelId} onChange={(e) => filters.set({ channelId: e.target.value })} className="rounded border border-slate-300 px-1 py-1 dark:border-slate-700 dark:bg-slate-900">
          <option value="">{t('inbox.filter.anyChannel')}</option>
          {(channels.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label={t('inbox.filter.label')} value={filters.labelId} onChange={(e) => filters.set({ labelId: e.target.value })} className="col-span-2 rounded border border-slate-300 px-1 py-1 dark:border-slate-700 dark:bg-slate-900">
          <option value="">{t('inbox.filter.anyLabel')}</option>
          {(labels.data?.items ?? []).map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </div>
      <ul role="list" aria-label={t('inbox.threads')} className="min-h-0 flex-1 overflow-y-auto">
        {items.map((thread) => (
          <ThreadRow key={thread.chat.id} thread={thread} active={thread.chat.id === activeChatId} locale={locale} />
        ))}
      </ul>
      {threads.isSuccess && items.length === 0 ? <p className="p-6 text-center text-sm text-slate-500">{t('inbox.empty')}</p> : null}
    </div>
  );
}

function ThreadRow({ thread, active, locale }: { thread: ThreadResponseDto; active: boolean; locale: 'en' | 'ru' }) {
  const t = useT();
  const preview = thread.lastMessage?.body ?? '';
  const assignee = thread.assigneeId ? thread.chat.members.find((m) => m.userId === thread.assigneeId)?.user.displayName : null;
  return (
    <li>
      <Link
        to={`/inbox/${thread.chat.id}`}
        aria-current={active ? 'page' : undefined}
        className={cn('flex gap-3 border-b border-slate-100 px-3 py-2 hover:bg-slate-50 dark:border-slate-900 dark:hover:bg-slate-900', active && 'bg-blue-50 dark:bg-slate-800')}
      >
        <Avatar name={thread.contact.name} seed={thread.contact.id} />
        <span className="min-w-0 flex-1">
          <span className="flex items-center gap-2">
            <span className="truncate font-medium">{thread.contact.name}</span>
            <span className="ml-auto shrink-0 text-xs text-slate-500">{formatShort(thread.lastActivityAt, locale)}</span>
          </span>
          <span className="flex items-center gap-1 text-xs">
            <span className={cn('rounded px-1', thread.channel.type === 'telegram' ? 'bg-sky-100 text-sky-800' : thread.channel.type === 'web' ? 'bg-violet-100 text-violet-800' : 'bg-emerald-100 text-emerald-800')} data-testid="channel-badge">
              {CHANNEL_LABELS[thread.channel.type]} · {thread.channel.name}
            </span>
            <span className="rounded bg-slate-100 px-1 text-slate-700 dark:bg-slate-800 dark:text-slate-200">{t(`inbox.status.${thread.status}` as MessageKey)}</span>
            {thread.owner === 'ai' ? (
              <span className="rounded bg-emerald-300 px-1 font-semibold text-emerald-950" data-testid="ai-owner-chip" title={t('inbox.owner.aiAnswering')}>
                {t('inbox.aiBadge')}
              </span>
            ) : null}
            {assignee ? <span className="truncate text-slate-500">→ {assignee}</span> : null}
          </span>
          <span className="flex items-center gap-2">
            <span className="truncate text-sm text-slate-600 dark:text-slate-300">{preview}</span>
            {thread.unreadCount > 0 ? (
              <span aria-label={t('inbox.unread', { count: thread.unreadCount })} className="ml-auto rounded-full bg-blue-600 px-2 text-xs text-white">
                {thread.unreadCount}
              </span>
            ) : null}
          </span>
        </span>
      </Link>
    </li>
  );
}
