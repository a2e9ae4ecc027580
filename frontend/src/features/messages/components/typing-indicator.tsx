import { useEffect, useState } from 'react';
import { useT } from '@/lib/i18n';
import { useTyping } from '../stores/typing';
import type { MemberInfo } from '../types';

/** "Bob is typing…" for a chat, or null; re-evaluated every second so stale signals expire. */
export function useTypingText(chatId: string, members: MemberInfo[]): string | null {
  const t = useT();
  const typing = useTyping((s) => s.byChat[chatId]);
  const [now, setNow] = useState(() => Date.now());
  const active = Object.entries(typing ?? {}).filter(([, until]) => until > now);
  useEffect(() => {
    if (!typing || Object.keys(typing).length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [typing]);
  if (active.length === 0) return null;
  const names = active.map(([userId]) => members.find((m) => m.userId === userId)?.displayName ?? t('messages.someone'));
  return names.length === 1 ? t('messages.typingOne', { name: names[0]! }) : t('messages.typingMany', { names: names.join(', ') });
}
