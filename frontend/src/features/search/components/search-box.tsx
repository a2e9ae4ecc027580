import type { SearchHitDto } from '@messenger/api-client';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { inputClass } from '@/components/ui/field';
import { useT } from '@/lib/i18n';
import { useSearchMessages } from '../api/search-messages';
import { useSearchState } from '../stores/search';
import { optionId, SearchResults } from './search-results';

export interface SearchBoxProps {
  /** Opens the chat at the hit; the app decides how (routing lives there). */
  onOpen(hit: SearchHitDto): void;
  /** Told whether results are showing, so the chat list can step aside for them. */
  onActiveChange?(active: boolean): void;
}

const DEBOUNCE_MS = 250;

/** Message search above the chat list: Ctrl/Cmd+K focuses it, arrows move through the hits, Enter opens one. */
export function SearchBox({ onOpen, onActiveChange }: SearchBoxProps) {
  const t = useT();
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const { scope, focusRequest, clearScope } = useSearchState();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const query = useSearchMessages(q, scope?.chatId);
  const hits = q.trim() ? (query.data?.items ?? []) : [];
  const showing = q.trim().length > 0;

  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(text);
      setActive(0);
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => onActiveChange?.(showing), [showing, onActiveChange]);
  useEffect(() => {
    if (focusRequest > 0) input.current?.focus();
  }, [focusRequest]);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const close = () => {
    setText('');
    setQ('');
    clearScope();
    input.current?.blur();
  };
  const open = (hit: SearchHitDto) => {
    onOpen(hit);
    close();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' && hits.length) {
      e.preventDefault();
      setActive((i) => (i + 1) % hits.length);
    } else if (e.key === 'ArrowUp' && hits.length) {
      e.preventDefault();
      setActive((i) => (i - 1 + hits.length) % hits.length);
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      open(hits[active]!);
    } else if (e.key === 'Escape') {
      close();
    }
  };

  return (
    <div className="flex min-h-0 flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 p-2 dark:border-slate-800">
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-label={t('search.label')}
          aria-expanded={showing}
          aria-controls={listId}
          aria-activedescendant={hits.length ? optionId(listId, active) : undefined}
          aria-keyshortcuts="Control+K Meta+K"
          placeholder={scope ? t('search.inChatPlaceholder', { title: scope.title }) : t('search.placeholder')}
          className={inputClass}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {scope ? (
          <button type="button" onClick={clearScope} aria-label={t('search.everywhere')} className="shrink-0 rounded-full bg-slate-100 px-2 py-1 text-xs dark:bg-slate-800">
            {scope.title} ✕
          </button>
        ) : null}
      </div>
      {showing ? (
        query.isSuccess && hits.length === 0 && !query.isFetching ? (
          <p className="p-4 text-sm text-slate-500" role="status">
            {t('search.noResults')}
          </p>
        ) : query.isError ? (
          <p className="p-4 text-sm text-red-600" role="alert">
            {t('common.error')}
          </p>
        ) : (
          <SearchResults id={listId} hits={hits} activeIndex={active} onOpen={open} onHover={setActive} />
        )
      ) : null}
    </div>
  );
}
