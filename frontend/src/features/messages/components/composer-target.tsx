import type { MessageResponseDto } from '@messenger/api-client';
import { useT } from '@/lib/i18n';

export interface ComposerTargetProps {
  editing: boolean;
  replyTo?: MessageResponseDto;
  replyToName: string;
  onCancel(): void;
}

/** The strip above the input saying what the composer is doing: replying to someone, or editing your message. */
export function ComposerTarget({ editing, replyTo, replyToName, onCancel }: ComposerTargetProps) {
  const t = useT();
  if (!editing && !replyTo) return null;
  return (
    <div className="mb-2 flex items-center gap-2 rounded-lg bg-slate-100 px-3 py-1.5 text-xs dark:bg-slate-800">
      <span className="min-w-0 flex-1 truncate">
        <span className="font-semibold">{editing ? t('messages.editing') : t('messages.replyingTo', { name: replyToName })}</span>
        {replyTo?.body ? <span className="ml-2 text-slate-500">{replyTo.body}</span> : null}
      </span>
      <button
        type="button"
        className="rounded px-1 text-base leading-none hover:bg-slate-200 dark:hover:bg-slate-700"
        aria-label={editing ? t('messages.cancelEdit') : t('messages.cancelReply')}
        onClick={onCancel}
      >
        ×
      </button>
    </div>
  );
}
