import type { ScheduledMessageResponseDto } from '@messenger/api-client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { useDateFormat } from '@/lib/i18n/format';
import { useCancelScheduledMessage, useScheduledMessages, useUpdateScheduledMessage } from '../api/scheduled-messages';
import { toLocalInput } from '../utils/schedule-presets';

/** A bar above the composer while you have messages scheduled here; it opens the list with edit and cancel. */
export function ScheduledMessages({ chatId }: { chatId: string }) {
  const t = useT();
  const query = useScheduledMessages(chatId);
  const [open, setOpen] = useState(false);
  const items = query.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-label={t('schedule.list')} className="border-t border-slate-200 px-3 py-1.5 text-sm dark:border-slate-800">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)} className="text-blue-600 hover:underline dark:text-blue-400">
        {t('schedule.count', { count: items.length })}
      </button>
      {open ? (
        <ul className="mt-2 max-h-60 space-y-2 overflow-y-auto">
          {items.map((item) => (
            <ScheduledItem key={item.id} chatId={chatId} item={item} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function ScheduledItem({ chatId, item }: { chatId: string; item: ScheduledMessageResponseDto }) {
  const t = useT();
  const dates = useDateFormat();
  const update = useUpdateScheduledMessage(chatId);
  const cancel = useCancelScheduledMessage(chatId);
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(item.body);
  const [at, setAt] = useState(toLocalInput(new Date(item.sendAt)));
  const error = (update.error ?? cancel.error) as { message?: string } | null;

  const save = () =>
    update.mutate(
      { path: { chatId, id: item.id }, body: { body: body.trim(), sendAt: new Date(at).toISOString() } },
      { onSuccess: () => setEditing(false) },
    );

  return (
    <li className="rounded-lg bg-slate-50 p-2 dark:bg-slate-900" aria-label={t('schedule.item', { time: dates.full(item.sendAt) })}>
      {editing ? (
        <div className="space-y-1">
          <textarea aria-label={t('schedule.editText')} value={body} onChange={(e) => setBody(e.target.value)} rows={2} className="w-full rounded border border-slate-300 bg-white p-1 text-sm dark:border-slate-700 dark:bg-slate-950" />
          <input type="datetime-local" aria-label={t('schedule.at')} value={at} onChange={(e) => setAt(e.target.value)} className="rounded border border-slate-300 bg-white px-1 text-sm dark:border-slate-700 dark:bg-slate-950" />
          <div className="flex gap-1">
            <Button size="sm" disabled={!body.trim() || !at} onClick={save}>
              {t('common.save')}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex items-start gap-2">
          <div className="min-w-0 flex-1">
            <p className="break-words whitespace-pre-wrap">{item.body}</p>
            <p className="text-xs text-slate-500">{t('schedule.sendsAt', { time: dates.full(item.sendAt) })}</p>
          </div>
          <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
            {t('schedule.edit')}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => cancel.mutate({ path: { chatId, id: item.id } })}>
            {t('schedule.cancel')}
          </Button>
        </div>
      )}
      {error ? (
        <p role="alert" className="text-xs text-red-600">
          {error.message ?? t('common.error')}
        </p>
      ) : null}
    </li>
  );
}
