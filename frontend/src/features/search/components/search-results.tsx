import type { SearchHitDto } from '@messenger/api-client';
import { useDateFormat } from '@/lib/i18n/format';
import { useT } from '@/lib/i18n';
import { cn } from '@/utils/cn';
import { HighlightedText } from './highlighted-text';

export interface SearchResultsProps {
  id: string;
  hits: SearchHitDto[];
  activeIndex: number;
  onOpen(hit: SearchHitDto): void;
  onHover(index: number): void;
}

export const optionId = (listId: string, index: number) => `${listId}-hit-${index}`;

/** Hits grouped by chat in the order of their best hit; the option index runs across groups for the keyboard. */
export function SearchResults({ id, hits, activeIndex, onOpen, onHover }: SearchResultsProps) {
  const t = useT();
  const dates = useDateFormat();
  const groups: Array<{ chat: SearchHitDto['chat']; items: Array<{ hit: SearchHitDto; index: number }> }> = [];
  hits.forEach((hit, index) => {
    const group = groups.find((g) => g.chat.id === hit.chat.id) ?? groups[groups.push({ chat: hit.chat, items: [] }) - 1]!;
    group.items.push({ hit, index });
  });
  return (
    <div id={id} role="listbox" aria-label={t('search.results')} className="min-h-0 flex-1 overflow-y-auto">
      {groups.map((group) => (
        <div key={group.chat.id} role="group" aria-label={group.chat.title ?? t('search.untitled')} className="py-1">
          <p className="px-3 py-1 text-xs font-semibold text-slate-500 uppercase" aria-hidden>
            {group.chat.title ?? t('search.untitled')}
          </p>
          {group.items.map(({ hit, index }) => (
            <div
              key={hit.message.id}
              id={optionId(id, index)}
              role="option"
              aria-selected={index === activeIndex}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onOpen(hit)}
              onMouseEnter={() => onHover(index)}
              className={cn('cursor-pointer px-3 py-2 text-sm', index === activeIndex ? 'bg-blue-50 dark:bg-slate-800' : 'hover:bg-slate-50 dark:hover:bg-slate-900')}
            >
              <p className="line-clamp-2 break-words">
                <HighlightedText text={hit.message.body ?? ''} ranges={hit.highlights} />
              </p>
              <p className="mt-0.5 text-xs text-slate-500">{dates.full(hit.message.createdAt)}</p>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
