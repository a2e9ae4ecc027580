import type { PublicUserDto } from '@messenger/api-client';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { useCreateChat } from '@/features/chats';
import { UserSearch } from '@/features/users';
import { useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';

/** One dialog, two choices: pick a person to open the direct chat, or switch to building a group. */
export function NewChatDialog({ open, onClose, meId }: { open: boolean; onClose(): void; meId: string }) {
  const t = useT();
  const navigate = useNavigate();
  const create = useCreateChat();
  const [mode, setMode] = useState<'direct' | 'group'>('direct');
  const [title, setTitle] = useState('');
  const [picked, setPicked] = useState<PublicUserDto[]>([]);
  const me = new Set([meId]);

  const close = () => {
    setMode('direct');
    setTitle('');
    setPicked([]);
    create.reset();
    onClose();
  };
  const opened = (chatId: string) => {
    close();
    void navigate(`/chats/${chatId}`);
  };
  const openDirect = (user: PublicUserDto) => create.mutate({ body: { type: 'direct', userId: user.id } }, { onSuccess: (chat) => opened(chat.id) });
  const toggle = (user: PublicUserDto) => setPicked((p) => (p.some((u) => u.id === user.id) ? p.filter((u) => u.id !== user.id) : [...p, user]));
  const createGroup = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ body: { type: 'group', title: title.trim(), memberIds: picked.map((u) => u.id) } }, { onSuccess: (chat) => opened(chat.id) });
  };

  const tab = (value: 'direct' | 'group', label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={mode === value}
      onClick={() => setMode(value)}
      className={cn('flex-1 rounded-md px-3 py-1.5 text-sm font-medium', mode === value ? 'bg-white shadow-sm dark:bg-slate-700' : 'text-slate-500')}
    >
      {label}
    </button>
  );

  return (
    <Dialog open={open} onClose={close} title={t('newChat.title')} closeLabel={t('common.close')}>
      <div role="tablist" className="mb-4 flex gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
        {tab('direct', t('newChat.direct'))}
        {tab('group', t('newChat.group'))}
      </div>
      {create.isError ? (
        <p role="alert" className="mb-2 text-sm text-red-600">
          {(create.error as { message?: string }).message ?? t('common.error')}
        </p>
      ) : null}
      {mode === 'direct' ? (
        <UserSearch onPick={openDirect} excludeIds={me} autoFocus />
      ) : (
        <form onSubmit={createGroup} className="space-y-3">
          <Field label={t('newChat.groupTitle')} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={128} />
          <UserSearch onPick={toggle} excludeIds={me} selectedIds={new Set(picked.map((u) => u.id))} />
          {picked.length > 0 ? <p className="text-xs text-slate-500">{t('newChat.selected', { names: picked.map((u) => u.displayName).join(', ') })}</p> : null}
          <Button type="submit" className="w-full" disabled={!title.trim() || create.isPending}>
            {t('newChat.createGroup')}
          </Button>
        </form>
      )}
    </Dialog>
  );
}
