import { completeUpload, createUpload, type AttachmentResponseDto, type UploadInstructionsDto } from '@messenger/api-client';

export interface UploadCallbacks {
  onProgress(fraction: number): void;
  /** The bytes are in storage; the server is checking them. */
  onChecking(): void;
}

export class UploadCanceled extends Error {
  constructor() {
    super('canceled');
  }
}

/**
 * Sends the bytes straight to object storage as the server instructs (a form POST or a PUT). XMLHttpRequest,
 * not fetch, because only it reports upload progress; this talks to storage, never to our API.
 */
function sendToStorage(upload: UploadInstructionsDto, file: File, onProgress: (f: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`storage answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the upload was interrupted'));
    xhr.onabort = () => reject(new UploadCanceled());
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    if (upload.method === 'POST') {
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.fields ?? {})) form.append(name, value);
      form.append('file', file);
      xhr.send(form);
    } else {
      xhr.send(file);
    }
  });
}

const errorMessage = (error: unknown) => (error as { message?: string })?.message ?? 'upload failed';

/** Request → bytes to storage → complete. Resolves with the verdict (ready, or rejected with its reason). */
export async function uploadAttachment(chatId: string, file: File, callbacks: UploadCallbacks, signal: AbortSignal): Promise<AttachmentResponseDto> {
  const created = await createUpload({
    body: { chatId, fileName: file.name || 'pasted-image', contentType: file.type || 'application/octet-stream', size: file.size },
    signal,
  });
  if (!created.data) throw new Error(errorMessage(created.error));
  await sendToStorage(created.data.upload, file, callbacks.onProgress, signal);
  callbacks.onChecking();
  const done = await completeUpload({ path: { id: created.data.id }, signal });
  if (!done.data) throw new Error(errorMessage(done.error));
  return done.data;
}
