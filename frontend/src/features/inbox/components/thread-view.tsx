import type { MessageResponseDto, ThreadResponseDto, ThreadViewerDto } from '@messenger/api-client';
import { viewInboxThread, leaveInboxThread } from '@messenger/api-client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ApiError } from '@/lib/api-client';
import { useT, type MessageKey } from '@/lib/i18n';
import { useSession } from '@/lib/session';
import { emitEvent, onSocketEvent } from '@/lib/socket';
import { cn } from '@/utils/cn';
import { uuid } from '@/utils/id';
import { useCanned, useChannels, useInvalidateInbox, useLabels, useMergeMessage, useSend, useSetLabels, useThreadMessages, useUpdateThread } from '../api';
import { AiDraft } from './ai-draft';
import { AiOwnerControls } from './ai-owner';
import { Composer, type ComposerSend } from './composer';
import { CustomerPanel } from './customer-panel';
import { ThreadMessages } from './thread-messages';
import { STATUSES } from './thread-list';
import { CHANNEL_LABELS } from './channel-label';

const VIEW_EVERY_MS = 10_000;

/** Snooze presets: in an hour, tomorrow 9:00, next Monday 9:00 (local time). */
export function snoozePresets(now = new Date()): Array<{ key: MessageKey; at: Date }> {
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const nextWeek = new Date(now);
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  nextWeek.setHours(9, 0, 0, 0);
  return [
    { key: 'inbox.snooze.hour', at: new Date(now.getTime() + 3_600_000) },
    { key: 'inbox.snooze.tomorrow', at: tomorrow },
    { key: 'inbox.snooze.nextWeek', at: nextWeek },
  ];
}

export function ThreadView({ thread }: { thread: ThreadResponseDto }) {
  const t = useT();
  const me = useSession((s) => s.user)!;
  const chatId = thread.chat.id;
  const messages = useThreadMessages(chatId);
  const channels = useChannels();
  const labels = useLabels();
  const canned = useCanned(chatId);
  const update = useUpdateThread();
  const setLabels = useSetLabels();
  const send = useSend();
  const merge = useMergeMessage();
  const invalidate = useInvalidateInbox();
  const [viewers, setViewers] = useState<ThreadViewerDto[]>([]);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [pickDate, setPickDate] = useState('');
  const [prefill, setPrefill] = useState<{ text: string; nonce: number }>();
  const capabilities = channels.data?.items.find((c) => c.id === thread.channel.id)?.capabilities;
  const names = new Map(thread.chat.members.map((m) => [m.userId, m.user.displayName]));

  // Viewing: said every 10 s, dropped by the server 30 s after the last time.
  useEffect(() => {
    let live = true;
    const view = () =>
      viewInboxThread({ path: { chatId } })
        .then((r) => live && r.data && setViewers(r.data.viewers))
        .catch(() => undefined);
    void view();
    const timer = setInterval(view, VIEW_EVERY_MS);
    const offViewers = onSocketEvent('thread:viewers', (e) => e.chatId === chatId && setViewers(e.viewers));
    const offTyping = onSocketEvent('typing', (e) => e.chatId === chatId && e.userId !== me.id && setTyping((s) => ({ ...s, [e.userId]: Date.now() })));
    const onMessage = (m: MessageResponseDto) => m.chatId === chatId && merge(m);
    const offNew = onSocketEvent('message:new', onMessage);
    const offUpdated = onSocketEvent('message:updated', onMessage);
    const offThread = onSocketEvent('thread:updated', () => void invalidate());
    return () => {
      live = false;
      clearInterval(timer);
      offViewers();
      offTyping();
      offNew();
      offUpdated();
      offThread();
      void leaveInboxThread({ path: { chatId } }).catch(() => undefined);
    };
  }, [chatId, me.id, merge, invalidate]);

  useEffect(() => {
    const timer = setInterval(() => setTyping((s) => Object.fromEntries(Object.entries(s).filter(([, at]) => Date.now() - at < 5000))), 1000);
    return () => clearInterval(timer);
  }, []);

  const items = messages.data?.items ?? [];

  const assignToMe = () => update.mutate({ path: { chatId }, body: { assigneeId: me.id } });
  const resolve = () => update.mutate({ path: { chatId }, body: { status: 'resolved' } });
  const snooze = (at: Date) => {
    setSnoozeOpen(false);
    update.mutate({ path: { chatId }, body: { status: 'snoozed', snoozedUntil: at.toISOString() } });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'e') update.mutate({ path: { chatId }, body: { status: 'resolved' } });
      if (e.key === 'a') update.mutate({ path: { chatId }, body: { assigneeId: me.id } });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [chatId, me.id, update]);

  const onSend = async ({ body, internal }: ComposerSend) => {
    const clientId = uuid();
    try {
      await send.mutateAsync({ path: { chatId }, body: { body, internal, clientId } });
    } catch (error) {
      const e = error as ApiError & { repliedBy?: { name: string }; repliedAt?: string };
      if (e.code !== 'REPLIED_MEANWHILE') throw error;
      const seconds = Math.max(0, Math.round((Date.now() - new Date(e.repliedAt ?? Date.now()).getTime()) / 1000));
      if (!window.confirm(t('inbox.repliedMeanwhile', { name: e.repliedBy?.name ?? '', seconds }))) throw error;
      await send.mutateAsync({ path: { chatId }, body: { body, internal, clientId, force: true } });
    }
  };

  const others = viewers.filter((v) => v.userId !== me.id);
  // A website visitor types too; their id is the thread's contact.
  const typingNames = Object.keys(typing).map((id) => names.get(id) ?? (id === thread.contact.id ? thread.contact.name : ''));

  return (
    <div className="flex min-h-0 flex-1">
      <section className="flex min-w-0 flex-1 flex-col" aria-label={thread.contact.name}>
        <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 p-2 dark:border-slate-800">
          <h2 className="font-semibold">{thread.contact.name}</h2>
          <span className="text-xs text-slate-500">
            {CHANNEL_LABELS[thread.channel.type]} · {thread.channel.name}
          </span>
          <select
            aria-label={t('inbox.filter.status')}
            value={thread.status}
            onChange={(e) => e.target.value !== 'snoozed' && update.mutate({ path: { chatId }, body: { status: e.target.value as 'open' } })}
            className="rounded border border-slate-300 px-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s} disabled={s === 'snoozed'}>
                {t(`inbox.status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
          <div className="ml-auto flex items-center gap-1">
            <AiOwnerControls thread={thread} />
            <Button size="sm" variant="secondary" onClick={assignToMe} disabled={thread.assigneeId === me.id}>
              {t('inbox.assignToMe')}
            </Button>
            <Button size="sm" variant="secondary" onClick={resolve} disabled={thread.status === 'resolved'}>
              {t('inbox.resolve')}
            </Button>
            <div className="relative">
              <Button size="sm" variant="secondary" aria-expanded={snoozeOpen} onClick={() => setSnoozeOpen((o) => !o)}>
                {t('inbox.snooze')}
              </Button>
              {snoozeOpen ? (
                <div role="menu" className="absolute right-0 z-10 mt-1 w-56 rounded border border-slate-200 bg-white p-1 shadow dark:border-slate-700 dark:bg-slate-900">
                  {snoozePresets().map((p) => (
                    <button key={p.key} role="menuitem" type="button" className="block w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => snooze(p.at)}>
                      {t(p.key)}
                    </button>
                  ))}
                  <label className="mt-1 block px-2 text-xs text-slate-500">
                    {t('inbox.snooze.pick')}
                    <input type="datetime-local" value={pickDate} onChange={(e) => setPickDate(e.target.value)} className="mt-1 w-full rounded border border-slate-300 text-sm dark:border-slate-700 dark:bg-slate-900" />
                  </label>
                  <button type="button" role="menuitem" disabled={!pickDate} className="mt-1 w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-100 disabled:opacity-50 dark:hover:bg-slate-800" onClick={() => snooze(new Date(pickDate))}>
                    {t('inbox.snooze.apply')}
                  </button>
                </div>
              ) : null}
            </div>
          </div>
          <div className="flex w-full flex-wrap items-center gap-1 text-xs">
            {(labels.data?.items ?? []).map((l) => {
              const on = thread.labels.some((x) => x.id === l.id);
              return (
                <button
                  key={l.id}
                  type="button"
                  aria-pressed={on}
                  onClick={() =>
                    setLabels.mutate({ path: { chatId }, body: { labelIds: on ? thread.labels.filter((x) => x.id !== l.id).map((x) => x.id) : [...thread.labels.map((x) => x.id), l.id] } })
                  }
                  className={cn('rounded-full border px-2', on ? 'text-white' : 'opacity-60')}
                  style={{ borderColor: l.color, backgroundColor: on ? l.color : undefined }}
                >
                  {l.name}
                </button>
              );
            })}
            {others.map((v) => (
              <span key={v.userId} className="rounded-full bg-violet-100 px-2 text-violet-800" role="status">
                {t('inbox.viewing', { name: v.name })}
              </span>
            ))}
            {typingNames.map((name) => (
              <span key={name} className="rounded-full bg-violet-100 px-2 text-violet-800" role="status">
                {t('inbox.typing', { name })}
              </span>
            ))}
          </div>
        </header>
        <ThreadMessages thread={thread} items={items} />
        <AiDraft chatId={chatId} agentName={thread.aiAgent?.agentName ?? t('inbox.owner.ai')} onUse={(text) => setPrefill({ text, nonce: Date.now() })} />
        <Composer capabilities={capabilities} canned={canned.data?.items ?? []} onSend={onSend} onTyping={() => void emitEvent('typing', { chatId })} prefill={prefill} />
      </section>
      <CustomerPanel thread={thread} />
    </div>
  );
}
