import type { CannedResponseDto, ChannelCapabilitiesDto } from '@messenger/api-client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';

export interface ComposerSend {
  body: string;
  internal: boolean;
}

/**
 * Reply or Note. A reply must fit the channel (a counter against maxTextLength; over the limit it is refused here,
 * before anything is sent); a note stays inside and has no channel limit. "/" at the start offers canned replies.
 */
export function Composer({
  capabilities,
  canned,
  onSend,
  onTyping,
  prefill,
}: {
  capabilities: ChannelCapabilitiesDto | undefined;
  canned: CannedResponseDto[];
  onSend(input: ComposerSend): Promise<void>;
  onTyping?(): void;
  /** Text put into the reply box from outside (the AI agent's draft); a new nonce puts it again. */
  prefill?: { text: string; nonce: number };
}) {
  const t = useT();
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  // Adjusted while rendering (React's pattern for state derived from a prop), so the text shows in the same paint.
  const [prefilled, setPrefilled] = useState<number>();
  if (prefill && prefill.nonce !== prefilled) {
    setPrefilled(prefill.nonce);
    setMode('reply');
    setText(prefill.text);
  }
  const [busy, setBusy] = useState(false);
  const max = capabilities?.maxTextLength;
  const over = mode === 'reply' && max !== undefined && text.length > max;
  const slash = text.startsWith('/') && !text.includes(' ') ? text.slice(1).toLowerCase() : null;
  const suggestions = slash === null ? [] : canned.filter((c) => c.shortcut.toLowerCase().startsWith(slash)).slice(0, 8);

  const submit = async () => {
    const body = text.trim();
    if (!body || over || busy) return;
    setBusy(true);
    try {
      await onSend({ body, internal: mode === 'note' });
      setText('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={cn('border-t border-slate-200 p-2 dark:border-slate-800', mode === 'note' && 'bg-amber-50 dark:bg-amber-950')}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="mb-1 flex items-center gap-1 text-sm">
        <Button size="sm" variant={mode === 'reply' ? 'primary' : 'ghost'} aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          {t('inbox.composer.reply')}
        </Button>
        <Button size="sm" variant={mode === 'note' ? 'primary' : 'ghost'} aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          {t('inbox.composer.note')}
        </Button>
        {mode === 'reply' && capabilities ? (
          <span className="ml-auto text-xs text-slate-500">
            <span className={cn('tabular-nums', over && 'font-semibold text-red-600')} data-testid="char-counter">
              {text.length}/{max}
            </span>{' '}
            · {capabilities.attachments === 'images' ? t('inbox.composer.imagesOnly') : t('inbox.composer.anyFiles')}
          </span>
        ) : null}
      </div>
      {suggestions.length ? (
        <ul role="listbox" aria-label={t('inbox.composer.canned')} className="mb-1 max-h-40 overflow-y-auto rounded border border-slate-200 bg-white text-sm dark:border-slate-700 dark:bg-slate-900">
          {suggestions.map((c) => (
            <li key={c.id} role="option" aria-selected={false}>
              <button type="button" className="w-full px-2 py-1 text-left hover:bg-slate-100 dark:hover:bg-slate-800" onClick={() => setText(c.rendered ?? c.body)}>
                <span className="font-mono">/{c.shortcut}</span> <span className="text-slate-500">{(c.rendered ?? c.body).slice(0, 80)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex gap-2">
        <textarea
          aria-label={mode === 'reply' ? t('inbox.composer.replyPlaceholder') : t('inbox.composer.notePlaceholder')}
          placeholder={mode === 'reply' ? t('inbox.composer.replyPlaceholder') : t('inbox.composer.notePlaceholder')}
          aria-invalid={over}
          value={text}
          rows={2}
          onChange={(e) => {
            setText(e.target.value);
            onTyping?.();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit();
            }
          }}
          className="min-h-10 flex-1 resize-none rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
        />
        <Button type="submit" disabled={busy || !text.trim() || over}>
          {t('inbox.composer.send')}
        </Button>
      </div>
      {over ? (
        <p role="alert" className="mt-1 text-xs text-red-600">
          {t('inbox.composer.tooLong', { max: max ?? 0 })}
        </p>
      ) : null}
    </form>
  );
}
