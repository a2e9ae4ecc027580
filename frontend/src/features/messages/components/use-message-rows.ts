import type { MessageResponseDto } from '@messenger/api-client';
import { useMemo } from 'react';
import { useOutbox } from '../stores/outbox';
import type { MessageRow } from '../types';

export type Row = MessageRow | { key: 'unread-divider'; divider: true };

/**
 * The list's rows: stored messages oldest first, the unread divider before the first unread one from someone else,
 * then what is still in the outbox (only when the newest messages are on screen, i.e. `withOutbox`).
 */
export function useMessageRows(chatId: string, meId: string, messages: MessageResponseDto[], unreadAfterSeq: number, withOutbox: boolean): Row[] {
  const outbox = useOutbox((s) => s.entries);
  return useMemo<Row[]>(() => {
    const out: Row[] = [];
    let dividerPlaced = false;
    for (const message of messages) {
      if (!dividerPlaced && message.seq > unreadAfterSeq && message.senderId !== meId) {
        out.push({ key: 'unread-divider', divider: true });
        dividerPlaced = true;
      }
      out.push({ key: message.clientId && message.senderId === meId ? `c:${message.clientId}` : message.id, message });
    }
    if (!withOutbox) return out;
    const stored = new Set(messages.map((m) => m.clientId));
    for (const entry of Object.values(outbox)) {
      if (entry.chatId !== chatId || stored.has(entry.clientId)) continue;
      out.push({
        key: `c:${entry.clientId}`,
        pending: entry.status,
        // Shaped like a stored message so one component renders both; asserted because the DTO keeps growing.
        message: { id: entry.clientId, chatId, seq: Number.MAX_SAFE_INTEGER, senderId: meId, clientId: entry.clientId, body: entry.body, replyToId: entry.replyToId ?? null, createdAt: entry.createdAt, editedAt: null, deletedAt: null, attachments: entry.attachments ?? [] } as MessageResponseDto,
      });
    }
    return out;
  }, [messages, outbox, chatId, meId, unreadAfterSeq, withOutbox]);
}
