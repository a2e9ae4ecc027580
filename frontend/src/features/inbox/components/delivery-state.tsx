import type { MessageResponseDto } from '@messenger/api-client';
import { Button } from '@/components/ui/button';
import { useT, type MessageKey } from '@/lib/i18n';

const ICONS = { queued: '🕓', sending: '🕓', sent: '✓', failed: '⚠', blocked: '⛔', unknown: '?' } as const;

/**
 * The delivery of an outgoing message: an icon for the eye, the state as text for a screen reader ("Delivery:
 * sent"), the provider's reason when it failed, and "Send again" where sending again makes sense. An unknown
 * outcome may already have reached the customer, so sending it again asks first.
 */
export function DeliveryState({ message, onSendAgain }: { message: MessageResponseDto; onSendAgain(id: string): void }) {
  const t = useT();
  const delivery = message.delivery;
  if (!delivery) return null;
  const state = delivery.state;
  const label = t(`inbox.delivery.${state}` as MessageKey);
  const again = () => {
    if (state === 'unknown' && !window.confirm(t('inbox.delivery.confirmAgain'))) return;
    onSendAgain(message.id);
  };
  return (
    <span className="mt-1 flex flex-wrap items-center gap-1 text-xs opacity-80" data-delivery={state}>
      <span aria-hidden className={state === 'failed' || state === 'blocked' ? 'text-red-600' : undefined}>
        {ICONS[state]}
      </span>
      <span className="sr-only">{t('inbox.delivery.label', { state: label })}</span>
      {state === 'failed' || state === 'blocked' || state === 'unknown' ? <span aria-hidden>{label}</span> : null}
      {state === 'failed' && delivery.error?.message ? <span>— {delivery.error.message}</span> : null}
      {state === 'failed' || state === 'unknown' ? (
        <Button size="sm" variant="ghost" className="h-6 px-1 text-xs underline" onClick={again}>
          {t('inbox.delivery.sendAgain')}
        </Button>
      ) : null}
    </span>
  );
}
