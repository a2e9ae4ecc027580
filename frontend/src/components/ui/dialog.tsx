import { useEffect, useRef, type ReactNode } from 'react';
import { cn } from '@/utils/cn';

export interface DialogProps {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  closeLabel: string;
  className?: string;
}

/** The native modal dialog: focus trap, Escape and the top layer come from the browser. */
export function Dialog({ open, title, onClose, children, closeLabel, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      if (typeof el.showModal === 'function') el.showModal();
      else el.setAttribute('open', '');
    } else if (!open && el.open) {
      if (typeof el.close === 'function') el.close();
      else el.removeAttribute('open');
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={cn(
        'm-auto w-[min(28rem,calc(100vw-2rem))] rounded-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-black/40 dark:bg-slate-900 dark:text-slate-100',
        className,
      )}
    >
      {open ? (
        <div className="flex max-h-[80vh] flex-col">
          <header className="flex items-center justify-between border-b border-slate-200 px-4 py-3 dark:border-slate-800">
            <h2 className="text-base font-semibold">{title}</h2>
            <button type="button" onClick={onClose} aria-label={closeLabel} className="rounded p-1 text-xl leading-none hover:bg-slate-100 dark:hover:bg-slate-800">
              ×
            </button>
          </header>
          <div className="overflow-y-auto p-4">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}
