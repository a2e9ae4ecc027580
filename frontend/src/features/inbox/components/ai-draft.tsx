import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { onSocketEvent } from '@/lib/socket';
import { useDiscardDraft, useDraft, useSetDraftCache } from '../api';

export interface AiDraftProps {
  chatId: string;
  agentName: string;
  /** Puts the text into the composer to edit and send. */
  onUse(text: string): void;
}

/** The AI agent's draft answer above the composer: "Use" moves it into the composer, "Discard" drops it. */
export function AiDraft({ chatId, agentName, onUse }: AiDraftProps) {
  const t = useT();
  const draft = useDraft(chatId);
  const setDraft = useSetDraftCache();
  const discard = useDiscardDraft();

  useEffect(
    () => onSocketEvent('thread:draft', (e) => e.chatId === chatId && setDraft(chatId, { text: e.text, createdAt: e.createdAt })),
    [chatId, setDraft],
  );

  const text = draft.data?.text;
  if (!text) return null;
  const title = t('inbox.draft.title', { name: agentName });
  return (
    <section aria-label={title} className="border-t border-emerald-200 bg-emerald-50 p-2 text-sm dark:border-emerald-900 dark:bg-emerald-950">
      <p className="mb-1 text-xs font-semibold text-emerald-900 dark:text-emerald-100">{title}</p>
      <p className="break-words whitespace-pre-wrap">{text}</p>
      <div className="mt-1 flex gap-1">
        <Button
          size="sm"
          onClick={() => {
            onUse(text);
            discard.mutate({ path: { chatId } });
          }}
        >
          {t('inbox.draft.use')}
        </Button>
        <Button size="sm" variant="ghost" disabled={discard.isPending} onClick={() => discard.mutate({ path: { chatId } })}>
          {t('inbox.draft.discard')}
        </Button>
      </div>
    </section>
  );
}
