import { PostMessageDtoSchema } from '@messenger/api-client';
import { useEffect, useMemo, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { emitEvent } from '@/lib/socket';
import { cn } from '@/utils/cn';
import { useAttach } from '../api/use-attach';
import { useEditMessage } from '../api/edit-message';
import { useMessages } from '../api/get-messages';
import { useScheduleMessage } from '../api/scheduled-messages';
import { useSendMessage } from '../api/send-message';
import { useComposer } from '../stores/composer';
import { useUploads } from '../stores/uploads';
import type { MemberInfo } from '../types';
import { AttachButton } from './attach-button';
import { ComposerTarget } from './composer-target';
import { ScheduleMenu } from './schedule-menu';
import { useFileDrop } from './use-file-drop';
import { UploadTray } from './upload-tray';

// The API's own limit, from the spec, so the two sides cannot drift.
const MAX_LENGTH = PostMessageDtoSchema.properties.body.maxLength;
// The typing signal is repeated at most this often while the person keeps typing.
const TYPING_EVERY_MS = 2_000;

export interface ComposerProps {
  chatId: string;
  members: MemberInfo[];
}

export function Composer({ chatId, members }: ComposerProps) {
  const t = useT();
  const draft = useComposer((s) => s.drafts[chatId] ?? '');
  const replyToId = useComposer((s) => s.replyTo[chatId]);
  const editingId = useComposer((s) => s.editing[chatId]);
  const { setDraft, setReplyTo, setEditing } = useComposer.getState();
  const { send } = useSendMessage(chatId);
  const edit = useEditMessage(chatId);
  const lastTyping = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const { data } = useMessages(chatId);
  const replyTo = replyToId ? data?.pages.flatMap((p) => p.items).find((m) => m.id === replyToId) : undefined;
  const allUploads = useUploads((s) => s.items);
  const uploads = useMemo(() => allUploads.filter((u) => u.chatId === chatId), [allUploads, chatId]);
  const { attach, discard } = useAttach(chatId);
  const { dragging, handlers: dropHandlers } = useFileDrop(attach);
  const { schedule } = useScheduleMessage(chatId);
  const ready = uploads.filter((u) => u.status === 'ready' && u.attachment);
  // Sending waits for every file still on its way, so a message never leaves without one of them.
  const uploading = uploads.some((u) => u.status === 'uploading' || u.status === 'checking');
  const canSend = !uploading && (!!draft.trim() || (!editingId && ready.length > 0));
  const nameOf = (userId: string | null) => members.find((m) => m.userId === userId)?.displayName ?? t('messages.someone');

  useEffect(() => {
    input.current?.focus();
  }, [chatId, replyToId, editingId]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const body = draft.trim();
    if (!canSend) return;
    if (editingId) {
      edit.mutate({ path: { id: editingId }, body: { body } });
      setEditing(chatId, undefined);
    } else {
      void send(body, replyToId, ready.map((u) => u.attachment!));
      for (const u of ready) useUploads.getState().remove(u.key);
      setReplyTo(chatId, undefined);
    }
    setDraft(chatId, '');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && (editingId || replyToId)) {
      setEditing(chatId, undefined);
      setReplyTo(chatId, undefined);
      if (editingId) setDraft(chatId, '');
    }
  };

  const onChange = (text: string) => {
    setDraft(chatId, text);
    const now = Date.now();
    if (text && !editingId && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      void emitEvent('typing', { chatId });
    }
  };

  const scheduleDraft = async (at: Date) => {
    await schedule(draft.trim(), at, replyToId);
    setDraft(chatId, '');
    setReplyTo(chatId, undefined);
  };

  return (
    <form
      onSubmit={submit}
      {...dropHandlers}
      className={cn('border-t border-slate-200 p-2 dark:border-slate-800', dragging && 'bg-blue-50 outline-2 outline-dashed outline-blue-500 dark:bg-blue-950')}
      aria-describedby={dragging ? `drop-hint-${chatId}` : undefined}
    >
      {dragging ? (
        <p id={`drop-hint-${chatId}`} className="mb-2 text-center text-xs text-blue-700 dark:text-blue-300">
          {t('attachments.dropHere')}
        </p>
      ) : null}
      <UploadTray items={uploads} onDiscard={discard} />
      <ComposerTarget
        editing={!!editingId}
        replyTo={replyTo}
        replyToName={nameOf(replyTo?.senderId ?? null)}
        onCancel={() => {
          if (editingId) {
            setEditing(chatId, undefined);
            setDraft(chatId, '');
          } else setReplyTo(chatId, undefined);
        }}
      />
      <div className="flex items-end gap-2">
        <AttachButton onFiles={attach} disabled={!!editingId} />
        <textarea
          ref={input}
          aria-label={t('messages.input')}
          placeholder={t('messages.input')}
          rows={1}
          maxLength={MAX_LENGTH}
          value={draft}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = [...e.clipboardData.files];
            if (pasted.length === 0 || editingId) return;
            e.preventDefault();
            attach(pasted);
          }}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-slate-300 bg-white px-3 py-2 text-sm field-sizing-content focus:border-blue-500 focus:ring-2 focus:ring-blue-500/30 focus:outline-none dark:border-slate-700 dark:bg-slate-900"
        />
        <Button type="submit" disabled={!canSend}>
          {editingId ? t('common.save') : t('messages.send')}
        </Button>
        {/* Scheduling carries text only: files are sent now. */}
        <ScheduleMenu disabled={!!editingId || !draft.trim() || uploads.length > 0} onSchedule={scheduleDraft} />
      </div>
    </form>
  );
}
