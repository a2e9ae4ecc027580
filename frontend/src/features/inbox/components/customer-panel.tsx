import type { ThreadResponseDto } from '@messenger/api-client';
import { useState } from 'react';
import { Link } from 'react-router';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { useChannels, useContact, useContactCandidates, useLinkContact } from '../api';
import { CHANNEL_LABELS } from './channel-label';


/**
 * Who the customer is: the contact, the listing they wrote about, and — once an operator has linked their contacts
 * on other channels (never automatic: Avito hashes user ids per account) — every other thread of the same person.
 */
export function CustomerPanel({ thread }: { thread: ThreadResponseDto }) {
  const t = useT();
  const ctx = thread.context;
  const details = useContact(thread.contact.id);
  const channels = useChannels();
  const channelName = (id: string) => channels.data?.items.find((c) => c.id === id)?.name ?? '';
  const others = (details.data?.threads ?? []).filter((x) => x.chat.id !== thread.chat.id);
  return (
    <aside aria-label={t('inbox.customer')} className="hidden w-64 shrink-0 space-y-3 overflow-y-auto border-l border-slate-200 p-3 text-sm lg:block dark:border-slate-800">
      <div className="flex items-center gap-2">
        <Avatar name={thread.contact.name} seed={thread.contact.id} />
        <div>
          <p className="font-semibold">{thread.contact.name}</p>
          <p className="text-xs text-slate-500">
            {CHANNEL_LABELS[thread.channel.type]} · {thread.channel.name}
          </p>
        </div>
      </div>
      {thread.contact.profileUrl ? (
        <a className="block text-blue-600 underline" href={thread.contact.profileUrl} target="_blank" rel="noreferrer noopener">
          {t('inbox.profile')}
        </a>
      ) : null}
      {thread.contact.email ? (
        <a className="block text-blue-600 underline" href={`mailto:${thread.contact.email}`} aria-label={t('inbox.email', { email: thread.contact.email })}>
          {thread.contact.email}
        </a>
      ) : null}
      {thread.contact.blocked ? <p className="text-red-600">{t('inbox.delivery.blocked')}</p> : null}
      {ctx?.title ? (
        <div className="rounded border border-slate-200 p-2 dark:border-slate-700">
          {ctx.imageUrl ? <img src={ctx.imageUrl} alt="" className="mb-1 max-h-32 rounded" /> : null}
          {ctx.url ? (
            <a href={ctx.url} target="_blank" rel="noreferrer noopener" className="font-medium text-blue-600 underline">
              {ctx.title}
            </a>
          ) : (
            <p className="font-medium">{ctx.title}</p>
          )}
          {ctx.price ? <p>{ctx.price}</p> : null}
        </div>
      ) : null}
      {thread.labels.length ? (
        <p className="flex flex-wrap gap-1">
          {thread.labels.map((l) => (
            <span key={l.id} className="rounded-full px-2 text-xs text-white" style={{ backgroundColor: l.color }}>
              {l.name}
            </span>
          ))}
        </p>
      ) : null}
      {details.data?.linked.length ? (
        <section aria-label={t('inbox.linked.title')}>
          <h3 className="text-xs font-semibold uppercase text-slate-500">{t('inbox.linked.title')}</h3>
          <ul className="mt-1 space-y-1">
            {details.data.linked.map((c) => (
              <li key={c.id}>
                {c.name} <span className="text-xs text-slate-500">· {channelName(c.channelId)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {others.length ? (
        <section aria-label={t('inbox.linked.threads')}>
          <h3 className="text-xs font-semibold uppercase text-slate-500">{t('inbox.linked.threads')}</h3>
          <ul className="mt-1 space-y-1">
            {others.map((x) => (
              <li key={x.chat.id}>
                <Link to={`/inbox/${x.chat.id}`} className="text-blue-600 underline dark:text-blue-400">
                  {x.contact.name} · {CHANNEL_LABELS[x.channel.type]} · {x.channel.name}
                </Link>
                <span className="ml-1 text-xs text-slate-500">{t(`inbox.status.${x.status}`)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <LinkContact contactId={thread.contact.id} linkedIds={new Set([thread.contact.id, ...(details.data?.linked ?? []).map((c) => c.id)])} />
    </aside>
  );
}

function LinkContact({ contactId, linkedIds }: { contactId: string; linkedIds: Set<string> }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const candidates = useContactCandidates(q);
  const link = useLinkContact();
  if (!open) {
    return (
      <Button variant="link" size="sm" className="px-0" onClick={() => setOpen(true)}>
        {t('inbox.linked.add')}
      </Button>
    );
  }
  const seen = new Set<string>();
  const found = (candidates.data?.items ?? []).filter((x) => !linkedIds.has(x.contact.id) && !seen.has(x.contact.id) && seen.add(x.contact.id));
  return (
    <div className="space-y-1">
      <input
        autoFocus
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-label={t('inbox.linked.search')}
        placeholder={t('inbox.linked.search')}
        className="w-full rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-700"
      />
      <ul aria-label={t('inbox.linked.candidates')} className="space-y-1">
        {found.map((x) => (
          <li key={x.contact.id}>
            <Button
              variant="ghost"
              size="sm"
              className="w-full justify-start"
              disabled={link.isPending}
              onClick={() => link.mutate({ path: { id: contactId }, body: { contactId: x.contact.id } }, { onSuccess: () => { setOpen(false); setQ(''); } })}
            >
              {t('inbox.linked.linkTo', { name: `${x.contact.name} · ${x.channel.name}` })}
            </Button>
          </li>
        ))}
      </ul>
      {link.error ? <p role="alert" className="text-red-600">{(link.error as { message?: string }).message ?? ''}</p> : null}
    </div>
  );
}
