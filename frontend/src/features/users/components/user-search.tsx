import type { PublicUserDto } from '@messenger/api-client';
import { useDeferredValue, useState } from 'react';
import { inputClass } from '@/components/ui/field';
import { Avatar } from '@/components/ui/avatar';
import { useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';
import { useSearchUsers } from '../api/search-users';

export interface UserSearchProps {
  onPick(user: PublicUserDto): void;
  /** People not to offer (yourself, current members). */
  excludeIds?: ReadonlySet<string>;
  /** Multi-select mode: picked people are shown as pressed toggles. */
  selectedIds?: ReadonlySet<string>;
  autoFocus?: boolean;
}

export function UserSearch({ onPick, excludeIds, selectedIds, autoFocus }: UserSearchProps) {
  const t = useT();
  const [search, setSearch] = useState('');
  const deferred = useDeferredValue(search);
  const query = useSearchUsers(deferred);
  const people = (query.data?.items ?? []).filter((u) => !excludeIds?.has(u.id));

  return (
    <div className="space-y-2">
      <input
        type="search"
        aria-label={t('users.search')}
        placeholder={t('users.search')}
        className={inputClass}
        value={search}
        autoFocus={autoFocus}
        onChange={(e) => setSearch(e.target.value)}
      />
      {!search.trim() ? (
        <p className="text-xs text-slate-500">{t('users.hint')}</p>
      ) : query.isSuccess && people.length === 0 ? (
        <p className="text-sm text-slate-500">{t('users.noResults')}</p>
      ) : (
        <ul aria-label={t('users.search')} className="max-h-64 space-y-1 overflow-y-auto">
          {people.map((user) => {
            const pressed = selectedIds?.has(user.id);
            return (
              <li key={user.id}>
                <button
                  type="button"
                  aria-pressed={selectedIds ? pressed : undefined}
                  onClick={() => onPick(user)}
                  className={cn(
                    'flex w-full items-center gap-3 rounded-lg px-2 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800',
                    pressed && 'bg-blue-50 dark:bg-blue-950',
                  )}
                >
                  <Avatar name={user.displayName} seed={user.id} className="h-8 w-8" />
                  <span className="min-w-0">
                    <span className="block truncate text-sm font-medium">{user.displayName}</span>
                    <span className="block truncate text-xs text-slate-500">@{user.username}</span>
                  </span>
                  {pressed ? <span aria-hidden className="ml-auto text-blue-600">✓</span> : null}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
