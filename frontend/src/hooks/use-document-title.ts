import { useEffect } from 'react';

/** "(3) Messenger" while anything is unread, so the tab tells without being opened. */
export function useDocumentTitle(base: string, unread: number): void {
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [base, unread]);
}
