import { useLocale, useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';
import type { UploadItem } from '../stores/uploads';
import { formatSize } from '../utils/format-size';
import { FileIcon } from './file-icons';

export interface UploadTrayProps {
  items: UploadItem[];
  onDiscard(key: string): void;
}

/** The files about to be sent: progress while uploading, a cancel button each, and why a file was refused. */
export function UploadTray({ items, onDiscard }: UploadTrayProps) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  if (items.length === 0) return null;
  return (
    <ul aria-label={t('attachments.tray')} className="mb-2 flex flex-wrap gap-2">
      {items.map((item) => {
        const busy = item.status === 'uploading' || item.status === 'checking';
        const bad = item.status === 'rejected' || item.status === 'failed';
        return (
          <li
            key={item.key}
            data-status={item.status}
            className={cn(
              'flex w-56 items-center gap-2 rounded-xl border px-2 py-1.5 text-xs',
              bad ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100' : 'border-slate-200 dark:border-slate-700',
            )}
          >
            {item.preview ? <img src={item.preview} alt="" className="h-9 w-9 shrink-0 rounded object-cover" /> : <FileIcon className="h-9 w-9 shrink-0 p-1.5 text-slate-500" />}
            <div className="min-w-0 flex-1">
              <p className="truncate font-medium" title={item.name}>
                {item.name}
              </p>
              {busy ? (
                <div
                  role="progressbar"
                  aria-label={t('attachments.uploading', { name: item.name })}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(item.progress * 100)}
                  className="mt-1 h-1.5 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
                >
                  <div className="h-full bg-blue-600 transition-[width]" style={{ width: `${Math.round(item.progress * 100)}%` }} />
                </div>
              ) : bad ? (
                <p role="alert">{item.status === 'rejected' ? t('attachments.rejected', { reason: item.reason ?? '' }) : t('attachments.failed', { reason: item.reason ?? '' })}</p>
              ) : (
                <p className="text-slate-500">{formatSize(item.size, locale)}</p>
              )}
            </div>
            <button
              type="button"
              aria-label={t(busy ? 'attachments.cancel' : 'attachments.remove', { name: item.name })}
              onClick={() => onDiscard(item.key)}
              className="rounded px-1 text-base leading-none hover:bg-slate-200 dark:hover:bg-slate-700"
            >
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
