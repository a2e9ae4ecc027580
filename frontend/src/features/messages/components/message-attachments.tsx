import type { AttachmentResponseDto } from '@messenger/api-client';
import { useState } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { useLocale, useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';
import { isInlineImage } from '../api/use-attach';
import { formatSize } from '../utils/format-size';
import { FileIcon } from './file-icons';

export interface MessageAttachmentsProps {
  attachments: AttachmentResponseDto[];
  mine: boolean;
}

/**
 * Images as thumbnails that open a full-size viewer; any other file as a card with a download link. The links
 * are same-origin API routes that redirect to short-lived storage URLs (the media cookie authenticates them).
 */
export function MessageAttachments({ attachments, mine }: MessageAttachmentsProps) {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const [open, setOpen] = useState<AttachmentResponseDto | null>(null);
  if (attachments.length === 0) return null;
  return (
    <div className="mb-1 flex flex-col gap-1">
      {attachments.map((a) =>
        isInlineImage(a.contentType) ? (
          <button
            key={a.id}
            type="button"
            aria-label={t('attachments.open', { name: a.fileName })}
            onClick={() => setOpen(a)}
            className="block overflow-hidden rounded-lg focus-visible:outline-2 focus-visible:outline-blue-500"
            style={a.width && a.height ? { aspectRatio: `${a.width} / ${a.height}`, maxWidth: 320 } : { maxWidth: 320 }}
          >
            {a.thumbnailUrl ? (
              <img src={a.thumbnailUrl} alt={a.fileName} loading="lazy" className="h-full w-full object-cover" />
            ) : (
              <span role="img" aria-label={a.fileName} className="flex h-32 w-48 items-center justify-center bg-slate-200 text-xs text-slate-500 dark:bg-slate-700">
                {t('attachments.preparing')}
              </span>
            )}
          </button>
        ) : (
          <a
            key={a.id}
            href={a.url}
            download={a.fileName}
            aria-label={t('attachments.download', { name: a.fileName })}
            className={cn(
              'flex max-w-xs items-center gap-2 rounded-lg px-2 py-1.5 text-xs',
              mine ? 'bg-white/15 hover:bg-white/25' : 'bg-white hover:bg-slate-50 dark:bg-slate-900 dark:hover:bg-slate-950',
            )}
          >
            <FileIcon className="h-7 w-7 shrink-0" />
            <span className="min-w-0">
              <span className="block truncate font-medium">{a.fileName}</span>
              <span className="opacity-70">{formatSize(a.size, locale)}</span>
            </span>
          </a>
        ),
      )}
      <Dialog open={open !== null} title={open?.fileName ?? t('attachments.viewer')} closeLabel={t('common.close')} onClose={() => setOpen(null)} className="w-[min(64rem,calc(100vw-2rem))]">
        {open ? (
          <figure className="flex flex-col items-center gap-2">
            <img src={open.url} alt={open.fileName} className="max-h-[70vh] max-w-full object-contain" />
            <figcaption>
              <a href={open.url} download={open.fileName} className="text-sm text-blue-600 hover:underline dark:text-blue-400">
                {t('attachments.download', { name: open.fileName })}
              </a>
            </figcaption>
          </figure>
        ) : null}
      </Dialog>
    </div>
  );
}
