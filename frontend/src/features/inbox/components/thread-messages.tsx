import type { MessageResponseDto, ThreadResponseDto } from '@messenger/api-client';
import { useEffect, useRef } from 'react';
import { useLocale, useT } from '@/lib/i18n';
import { formatTime } from '@/lib/i18n/format';
import { cn } from '@/utils/cn';
import { useRedeliver } from '../api';
import { DeliveryState } from './delivery-state';

export interface ThreadMessagesProps {
  thread: ThreadResponseDto;
  items: MessageResponseDto[];
}

/** The thread's history: the customer on the left, operators and the AI agent (badged) on the right, notes on amber. */
export function ThreadMessages({ thread, items }: ThreadMessagesProps) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const redeliver = useRedeliver();
  const bottom = useRef<HTMLDivElement>(null);
  const names = new Map(thread.chat.members.map((m) => [m.userId, m.user.displayName]));
  // The history page comes newest first; live merges keep seq order. Shown oldest at the top either way.
  const ordered = [...items].sort((a, b) => a.seq - b.seq);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [items.length]);

  return (
    <ol className="min-h-0 flex-1 space-y-2 overflow-y-auto p-3" aria-label={t('inbox.messages')}>
      {ordered.map((m) => {
        const customer = m.senderContactId !== null;
        const byAi = m.senderKind === 'ai';
        const author = customer ? thread.contact.name : byAi ? (m.senderName ?? '') : m.senderId ? (names.get(m.senderId) ?? '') : thread.channel.name;
        return (
          <li key={m.id} className={cn('flex', customer ? 'justify-start' : 'justify-end')}>
            <div
              className={cn(
                'max-w-[75%] rounded-lg px-3 py-2 text-sm',
                m.internal ? 'border border-amber-300 bg-amber-100 text-amber-950 dark:bg-amber-900 dark:text-amber-50' : customer ? 'bg-slate-100 dark:bg-slate-800' : 'bg-blue-600 text-white',
              )}
              data-note={m.internal || undefined}
            >
              <div className="mb-0.5 flex items-center gap-2 text-xs opacity-80">
                {m.internal ? <span className="rounded bg-amber-300 px-1 font-semibold text-amber-950">{t('inbox.note')}</span> : null}
                {byAi ? <span data-testid="ai-badge" className="rounded bg-emerald-300 px-1 font-semibold text-emerald-950">{t('inbox.aiBadge')}</span> : null}
                <span>{author}</span>
                <span>{formatTime(m.createdAt, locale)}</span>
              </div>
              <p className="break-words whitespace-pre-wrap">{m.body ?? t('inbox.deleted')}</p>
              {!customer && !m.internal ? <DeliveryState message={m} onSendAgain={(id) => redeliver.mutate({ path: { id } })} /> : null}
            </div>
          </li>
        );
      })}
      <div ref={bottom} />
    </ol>
  );
}
