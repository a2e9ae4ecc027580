import type { MessageResponseDto } from '@messenger/api-client';
import { memo } from 'react';
import { useT } from '@/lib/i18n';
import { useDateFormat } from '@/lib/i18n/format';
import { cn } from '@/utils/cn';
import { Linkified } from '@/utils/linkify';
import { MessageAttachments } from './message-attachments';

export interface MessageItemProps {
  message: MessageResponseDto;
  mine: boolean;
  senderName?: string;
  /** "Sent", "Read", "Read by 2"… shown under your own messages. */
  receipt?: string;
  pending?: 'sending' | 'failed';
  /** The message a search opened the chat at. */
  highlighted?: boolean;
  replyTo?: { name: string; text: string };
  onReply?(message: MessageResponseDto): void;
  onEdit?(message: MessageResponseDto): void;
  onDelete?(message: MessageResponseDto): void;
  onRetry?(clientId: string): void;
}

const actionClass = 'rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-200 hover:text-slate-900 dark:hover:bg-slate-700 dark:hover:text-slate-100';

export const MessageItem = memo(function MessageItem({ message, mine, senderName, receipt, pending, highlighted, replyTo, onReply, onEdit, onDelete, onRetry }: MessageItemProps) {
  const t = useT();
  const dates = useDateFormat();
  const deleted = message.deletedAt !== null || message.body === null;

  return (
    <article
      data-seq={pending ? undefined : message.seq}
      data-status={pending ?? 'stored'}
      data-highlighted={highlighted ? 'true' : undefined}
      aria-current={highlighted ? 'true' : undefined}
      className={cn('group flex items-center gap-1 px-3 py-1', mine ? 'flex-row-reverse' : 'flex-row', highlighted && 'bg-amber-100/70 dark:bg-amber-900/30')}
    >
      <div
        className={cn(
          'max-w-[80%] min-w-0 rounded-2xl px-3 py-2 text-sm shadow-sm',
          mine ? 'bg-blue-600 text-white dark:bg-blue-700' : 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-slate-100',
          pending === 'failed' && 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100',
        )}
      >
        {senderName && !mine ? <p className="mb-0.5 text-xs font-semibold text-blue-700 dark:text-blue-300">{senderName}</p> : null}
        {replyTo && !deleted ? (
          <p className={cn('mb-1 border-l-2 pl-2 text-xs opacity-80', mine ? 'border-white/60' : 'border-blue-500')}>
            <span className="font-semibold">{t('messages.replyTo', { name: replyTo.name })}</span>
            <span className="block truncate">{replyTo.text}</span>
          </p>
        ) : null}
        {deleted ? (
          <p className="italic opacity-70">{t('messages.deleted')}</p>
        ) : (
          <>
            <MessageAttachments attachments={message.attachments ?? []} mine={mine} />
            {message.body || !message.attachments?.length ? (
              <p data-body className="break-words whitespace-pre-wrap">
                <Linkified text={message.body ?? ''} />
              </p>
            ) : null}
          </>
        )}
        <p className={cn('mt-0.5 flex justify-end gap-1 text-[11px]', mine ? 'text-blue-100' : 'text-slate-500')}>
          {message.editedAt && !deleted ? <span>{t('messages.edited')}</span> : null}
          <time dateTime={message.createdAt} title={dates.full(message.createdAt)}>
            {dates.time(message.createdAt)}
          </time>
          {mine ? <span data-receipt>{pending === 'sending' ? t('messages.sending') : pending === 'failed' ? t('messages.failed') : receipt}</span> : null}
        </p>
      </div>
      <div className={cn('flex shrink-0 gap-0.5 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100', pending === 'failed' && 'opacity-100')}>
        {pending === 'failed' && message.clientId ? (
          <button type="button" className={cn(actionClass, 'text-red-700 dark:text-red-300')} onClick={() => onRetry?.(message.clientId!)}>
            {t('messages.retry')}
          </button>
        ) : null}
        {!pending && !deleted ? (
          <>
            <button type="button" className={actionClass} onClick={() => onReply?.(message)}>
              {t('messages.reply')}
            </button>
            {mine ? (
              <>
                <button type="button" className={actionClass} onClick={() => onEdit?.(message)}>
                  {t('messages.edit')}
                </button>
                <button type="button" className={actionClass} onClick={() => onDelete?.(message)}>
                  {t('messages.delete')}
                </button>
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </article>
  );
});
