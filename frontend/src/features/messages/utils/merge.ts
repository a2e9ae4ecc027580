import type { MessageListResponseDto, MessageResponseDto } from '@messenger/api-client';
import type { InfiniteData } from '@tanstack/react-query';

/** The cached history of one chat: pages newest first, each page's items newest first (as the API returns them). */
export type MessagePages = InfiniteData<MessageListResponseDto, unknown>;

const bySeqDesc = (a: MessageResponseDto, b: MessageResponseDto) => b.seq - a.seq;

export function maxSeq(data: MessagePages | undefined): number {
  return data?.pages[0]?.items[0]?.seq ?? 0;
}

/** The whole loaded history, oldest first, each message once. */
export function flattenAscending(data: MessagePages | undefined): MessageResponseDto[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: MessageResponseDto[] = [];
  for (let p = data.pages.length - 1; p >= 0; p--) {
    const items = data.pages[p]!.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i]!;
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  }
  return out;
}

/**
 * Adds messages (from the socket, an ack or a resync) without duplicates: a known id is replaced in place,
 * a new one lands in the page whose seq range holds it. Anything older than the oldest loaded page is left
 * for paging to fetch, so the loaded history never has a hole.
 */
export function insertMessages(data: MessagePages, incoming: MessageResponseDto[], hasOlder: boolean): MessagePages {
  if (incoming.length === 0) return data;
  const pages = data.pages.map((p) => ({ ...p, items: [...p.items] }));
  if (pages.length === 0) pages.push({ items: [] });
  const where = new Map<string, number>();
  pages.forEach((p, i) => p.items.forEach((m) => where.set(m.id, i)));

  for (const message of incoming) {
    const known = where.get(message.id);
    if (known !== undefined) {
      const items = pages[known]!.items;
      items[items.findIndex((m) => m.id === message.id)] = message;
      continue;
    }
    let target = pages.findIndex((p, i) => i === 0 ? (p.items.at(-1)?.seq ?? 0) <= message.seq : (p.items.at(-1)?.seq ?? Infinity) <= message.seq);
    if (target === -1) {
      if (hasOlder) continue;
      target = pages.length - 1;
    }
    pages[target]!.items.push(message);
    where.set(message.id, target);
  }
  for (const p of pages) p.items.sort(bySeqDesc);
  return { ...data, pages };
}

export function patchMessage(data: MessagePages, id: string, patch: Partial<MessageResponseDto>): MessagePages {
  let changed = false;
  const pages = data.pages.map((p) => {
    if (!p.items.some((m) => m.id === id)) return p;
    changed = true;
    return { ...p, items: p.items.map((m) => (m.id === id ? { ...m, ...patch } : m)) };
  });
  return changed ? { ...data, pages } : data;
}
