import { Link, useParams } from 'react-router';
import { useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';
import { useThreads } from '../api';
import { useInboxFilters } from '../store';
import { ThreadList } from './thread-list';
import { ThreadView } from './thread-view';

/** The inbox: the thread list beside the open thread (one column below 768 px). */
export function InboxPage() {
  const t = useT();
  const { chatId } = useParams();
  return (
    <div className="flex min-h-0 flex-1">
      <aside className={cn('w-full shrink-0 flex-col border-r border-slate-200 md:flex md:w-96 dark:border-slate-800', chatId ? 'hidden' : 'flex')}>
        <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
          <h1 className="font-semibold">{t('inbox.nav')}</h1>
          <Link to="/inbox/alerts" className="ml-auto text-sm text-blue-600 underline">
            {t('alerts.title')}
          </Link>
          <Link to="/inbox/stats" className="text-sm text-blue-600 underline">
            {t('inbox.stats.title')}
          </Link>
          <Link to="/inbox/channels" className="text-sm text-blue-600 underline">
            {t('inbox.channels.title')}
          </Link>
        </div>
        <ThreadList activeChatId={chatId} />
      </aside>
      <main className={cn('min-w-0 flex-1 flex-col md:flex', chatId ? 'flex' : 'hidden')}>
        {chatId ? <OpenThread chatId={chatId} /> : <p className="m-auto p-8 text-center text-sm text-slate-500">{t('inbox.select')}</p>}
      </main>
    </div>
  );
}

/** The open thread comes from the list's own data (the same filters), else from an unfiltered fetch. */
function OpenThread({ chatId }: { chatId: string }) {
  const t = useT();
  const filters = useInboxFilters();
  const listed = useThreads({
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.channelId ? { channelId: filters.channelId } : {}),
    ...(filters.labelId ? { labelId: filters.labelId } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...(filters.tab === 'mine' ? { assignee: 'me' } : filters.tab === 'unassigned' ? { assignee: 'none' } : {}),
  });
  const all = useThreads({ limit: 200 });
  const thread = listed.data?.items.find((i) => i.chat.id === chatId) ?? all.data?.items.find((i) => i.chat.id === chatId);
  if (!thread) return <p className="m-auto p-8 text-sm text-slate-500">{all.isFetching ? t('auth.restoring') : t('inbox.notFound')}</p>;
  return <ThreadView key={chatId} thread={thread} />;
}
