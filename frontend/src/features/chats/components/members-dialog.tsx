import type { ChatResponseDto, PublicUserDto } from '@messenger/api-client';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { useT } from '@/lib/i18n';
import { useAddMember } from '../api/add-member';
import { useRemoveMember } from '../api/remove-member';

export interface MembersDialogProps {
  chat: ChatResponseDto;
  meId: string;
  open: boolean;
  onClose(): void;
  /** The people picker, composed by the app from the users feature. */
  renderPicker(props: { onPick(user: PublicUserDto): void; excludeIds: ReadonlySet<string> }): ReactNode;
}

export function MembersDialog({ chat, meId, open, onClose, renderPicker }: MembersDialogProps) {
  const t = useT();
  const navigate = useNavigate();
  const add = useAddMember(chat.id);
  const remove = useRemoveMember(chat.id, meId);
  const myRole = chat.members.find((m) => m.userId === meId)?.role;
  const canManage = chat.type === 'group' && (myRole === 'owner' || myRole === 'admin');
  const memberIds = new Set(chat.members.map((m) => m.userId));

  const leave = () =>
    remove.mutate(
      { path: { chatId: chat.id, userId: meId } },
      {
        onSuccess: () => {
          onClose();
          void navigate('/');
        },
      },
    );

  return (
    <Dialog open={open} onClose={onClose} title={t('chats.members')} closeLabel={t('common.close')}>
      <ul className="space-y-1" aria-label={t('chats.members')}>
        {chat.members.map((m) => (
          <li key={m.userId} className="flex items-center gap-3 py-1">
            <Avatar name={m.user.displayName} seed={m.userId} className="h-8 w-8" />
            <span className="min-w-0 flex-1">
              <span className="block truncate text-sm font-medium">
                {m.user.displayName}
                {m.userId === meId ? ` (${t('chats.you')})` : ''}
              </span>
              <span className="block text-xs text-slate-500">{t(`chats.role.${m.role}`)}</span>
            </span>
            {canManage && m.userId !== meId && m.role !== 'owner' ? (
              <Button variant="ghost" size="sm" onClick={() => remove.mutate({ path: { chatId: chat.id, userId: m.userId } })}>
                {t('chats.removeMember', { name: m.user.displayName })}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {canManage ? (
        <section className="mt-4 space-y-2">
          <h3 className="text-sm font-semibold">{t('chats.addMember')}</h3>
          {renderPicker({ onPick: (user) => add.mutate({ path: { chatId: chat.id }, body: { userId: user.id } }), excludeIds: memberIds })}
        </section>
      ) : null}
      {chat.type === 'group' ? (
        <Button variant="danger" className="mt-4 w-full" onClick={leave} disabled={remove.isPending}>
          {t('chats.leave')}
        </Button>
      ) : null}
    </Dialog>
  );
}
