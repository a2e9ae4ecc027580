import type { AttachmentResponseDto } from '@messenger/api-client';
import { create } from 'zustand';

export type UploadStatus = 'uploading' | 'checking' | 'ready' | 'rejected' | 'failed';

/** A file being attached in the composer: client state until it is sent with a message. */
export interface UploadItem {
  key: string;
  chatId: string;
  name: string;
  size: number;
  type: string;
  progress: number;
  status: UploadStatus;
  attachment?: AttachmentResponseDto;
  /** Why the server rejected the file, or why the upload failed. */
  reason?: string;
  /** A local object URL, so an image shows before it is uploaded. */
  preview?: string;
}

interface UploadsState {
  items: UploadItem[];
  add(item: UploadItem): void;
  update(key: string, patch: Partial<UploadItem>): void;
  remove(key: string): void;
}

export const useUploads = create<UploadsState>()((set) => ({
  items: [],
  add: (item) => set((s) => ({ items: [...s.items, item] })),
  update: (key, patch) => set((s) => ({ items: s.items.map((i) => (i.key === key ? { ...i, ...patch } : i)) })),
  remove: (key) =>
    set((s) => {
      const gone = s.items.find((i) => i.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return { items: s.items.filter((i) => i.key !== key) };
    }),
}));
