import { InlineImageTypeSchema } from '@messenger/api-client';
import { useCallback } from 'react';
import { uuid } from '@/utils/id';
import { useUploads } from '../stores/uploads';
import { UploadCanceled, uploadAttachment } from './upload-attachment';

/** Aborts per upload; kept outside the store because they are not data. */
const aborts = new Map<string, AbortController>();

// The backend's rule, published in the spec: raster formats shown inline, everything else a download.
export const isInlineImage = (type: string) => (InlineImageTypeSchema.enum as readonly string[]).includes(type);

/** Starts uploads for the picked, dropped or pasted files of a chat, and cancels or dismisses them. */
export function useAttach(chatId: string) {
  const attach = useCallback(
    (files: Iterable<File>) => {
      const store = useUploads.getState();
      for (const file of files) {
        const key = uuid();
        const controller = new AbortController();
        aborts.set(key, controller);
        store.add({
          key,
          chatId,
          name: file.name || 'pasted-image',
          size: file.size,
          type: file.type,
          progress: 0,
          status: 'uploading',
          preview: isInlineImage(file.type) ? URL.createObjectURL(file) : undefined,
        });
        const update = (patch: Parameters<typeof store.update>[1]) => useUploads.getState().update(key, patch);
        uploadAttachment(chatId, file, { onProgress: (progress) => update({ progress }), onChecking: () => update({ status: 'checking', progress: 1 }) }, controller.signal)
          .then((attachment) => update({ attachment, status: attachment.status === 'ready' ? 'ready' : 'rejected', reason: attachment.reason }))
          .catch((error: unknown) => {
            if (error instanceof UploadCanceled || controller.signal.aborted) useUploads.getState().remove(key);
            else update({ status: 'failed', reason: error instanceof Error ? error.message : String(error) });
          })
          .finally(() => aborts.delete(key));
      }
    },
    [chatId],
  );

  /** Stops an upload in flight, or takes a finished one off the message. */
  const discard = useCallback((key: string) => {
    aborts.get(key)?.abort();
    useUploads.getState().remove(key);
  }, []);

  return { attach, discard };
}
