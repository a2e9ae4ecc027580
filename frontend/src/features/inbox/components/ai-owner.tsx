import type { ThreadResponseDto } from '@messenger/api-client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { useT } from '@/lib/i18n';
import { onSocketEvent } from '@/lib/socket';
import { cn } from '@/utils/cn';
import { useReturnToAi, useTakeOver } from '../api';

export interface AiOwnerControlsProps {
  thread: ThreadResponseDto;
}

/** Who answers the customer (the AI agent or people), with "Take over" and "Return to AI". */
export function AiOwnerControls({ thread }: AiOwnerControlsProps) {
  const t = useT();
  const takeOver = useTakeOver();
  const giveBack = useReturnToAi();
  const chatId = thread.chat.id;
  const byAi = thread.owner === 'ai';
  // Why the agent let go of this thread, as it happens (the alert to operators says the same).
  const [handoff, setHandoff] = useState<string | null>(null);
  useEffect(() => onSocketEvent('thread:handoff', (e) => e.chatId === chatId && setHandoff(e.detail)), [chatId]);
  return (
    <div className="flex items-center gap-1" role="group" aria-label={t('inbox.owner.label')}>
      <span
        data-testid="thread-owner"
        className={cn('rounded-full px-2 py-0.5 text-xs font-semibold', byAi ? 'bg-emerald-100 text-emerald-900' : 'bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100')}
      >
        {t('inbox.owner.label')}: {byAi ? t('inbox.owner.ai') : t('inbox.owner.human')}
        {byAi && thread.aiAgent ? ` · ${thread.aiAgent.agentName}` : ''}
      </span>
      {byAi ? (
        <Button size="sm" variant="secondary" disabled={takeOver.isPending} onClick={() => takeOver.mutate({ path: { chatId } })}>
          {t('inbox.takeOver')}
        </Button>
      ) : thread.aiAgent ? (
        <Button size="sm" variant="secondary" disabled={giveBack.isPending} onClick={() => giveBack.mutate({ path: { chatId } })}>
          {t('inbox.returnToAi')}
        </Button>
      ) : null}
      {handoff && !byAi ? (
        <span role="status" className="text-xs text-slate-600 dark:text-slate-300">
          {t('inbox.handedOff', { detail: handoff })}
        </span>
      ) : null}
    </div>
  );
}
