import { useRef } from 'react';
import { useT } from '@/lib/i18n';
import { PaperclipIcon } from './file-icons';

export interface AttachButtonProps {
  onFiles(files: File[]): void;
  disabled?: boolean;
}

/** A paper-clip button over a hidden file input; several files at once. */
export function AttachButton({ onFiles, disabled }: AttachButtonProps) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        aria-label={t('attachments.attach')}
        title={t('attachments.attach')}
        disabled={disabled}
        onClick={() => input.current?.click()}
        className="flex h-10 w-10 shrink-0 items-center justify-center rounded-xl text-slate-500 hover:bg-slate-100 hover:text-slate-900 disabled:opacity-50 dark:hover:bg-slate-800 dark:hover:text-slate-100"
      >
        <PaperclipIcon />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}
