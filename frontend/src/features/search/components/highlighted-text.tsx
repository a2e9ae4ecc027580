import { Fragment } from 'react';

export interface HighlightedTextProps {
  text: string;
  /** [start, end) offsets into `text`, in order, as the search API returns them. */
  ranges: number[][];
}

/** The body as text with the matched words in <mark>: the server sends offsets, never HTML. */
export function HighlightedText({ text, ranges }: HighlightedTextProps) {
  const parts: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const [start = 0, end = 0] of ranges) {
    if (start < at || end > text.length || end <= start) continue;
    if (start > at) parts.push({ text: text.slice(at, start), mark: false });
    parts.push({ text: text.slice(start, end), mark: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return (
    <>
      {parts.map((part, i) =>
        part.mark ? (
          <mark key={i} className="rounded bg-amber-200 px-0.5 text-inherit dark:bg-amber-700">
            {part.text}
          </mark>
        ) : (
          <Fragment key={i}>{part.text}</Fragment>
        ),
      )}
    </>
  );
}
