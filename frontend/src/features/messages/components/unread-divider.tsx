import { useT } from '@/lib/i18n';

export function UnreadDivider() {
  const t = useT();
  return (
    <div className="my-2 flex items-center gap-2 px-3 text-xs font-medium text-blue-600 dark:text-blue-400" role="separator" aria-label={t('messages.unreadMarker')}>
      <span className="h-px flex-1 bg-blue-300 dark:bg-blue-800" />
      {t('messages.unreadMarker')}
      <span className="h-px flex-1 bg-blue-300 dark:bg-blue-800" />
    </div>
  );
}
