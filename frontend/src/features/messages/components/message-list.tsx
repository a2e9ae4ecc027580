import { useHistoryAround, useLiveHistory } from '../api/use-history';
import type { MemberInfo } from '../types';
import { MessageLog } from './message-log';

export interface MessageListProps {
  chatId: string;
  meId: string;
  members: MemberInfo[];
  isGroup: boolean;
  /** Your read marker when the chat was opened (or +∞ when nothing was unread): the unread divider goes after it. */
  unreadAfterSeq: number;
  /** Called with the newest seq on screen while you are at the bottom of a visible page. */
  onRead(seq: number): void;
  /** Open the chat at this message (a search hit), highlighted, instead of at the newest one. */
  focusSeq?: number;
  /** Called when you leave the found message for the live end of the chat (jump to latest, or you send). */
  onLeaveFocus?(): void;
}

/** The chat's history: live, or opened at a found message with older and newer pages loading around it. */
export function MessageList(props: MessageListProps) {
  return props.focusSeq === undefined ? <LiveList {...props} /> : <FocusedList {...props} focusSeq={props.focusSeq} />;
}

function LiveList(props: MessageListProps) {
  return <MessageLog {...props} history={useLiveHistory(props.chatId)} />;
}

function FocusedList(props: MessageListProps & { focusSeq: number }) {
  return <MessageLog {...props} history={useHistoryAround(props.chatId, props.focusSeq)} />;
}
