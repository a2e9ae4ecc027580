/** The widget's view of the server's contract (backend/src/modules/bridge/schemas/widget.dto.ts). */
export interface WidgetMessage {
  id: string;
  threadId: string;
  seq: number;
  body: string | null;
  from: 'visitor' | 'agent';
  senderName: string | null;
  createdAt: string;
  deletedAt: string | null;
  attachments: Array<{ id: string; fileName: string; contentType: string; size: number }>;
}

export interface WidgetSession {
  token: string;
  visitorId: string;
  contactId: string;
  threadId: string | null;
  name: string;
  email: string | null;
  online: boolean;
  channel: { id: string; name: string; greeting: string | null; theme: { color?: string; position?: 'left' | 'right' } | null };
}

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };
