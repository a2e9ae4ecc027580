import { Injectable } from '@nestjs/common';

/** Where an outgoing message to an external channel stands; mirrored on the message so clients can show it. */
export const DELIVERY_STATES = ['queued', 'sending', 'sent', 'failed', 'blocked', 'unknown'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** States no worker moves on from by itself; `failed` and `unknown` leave only by an operator's redelivery. */
export const FINAL_DELIVERY_STATES: readonly DeliveryState[] = ['sent', 'failed', 'blocked', 'unknown'];

export interface MessageDelivery {
  state: DeliveryState;
  error?: { code: string; message: string };
  externalId?: string;
  updatedAt: string;
}

/** A statement runner bound to the open transaction of the message write; rows come back as plain objects. */
export interface TransactionQuery {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The message as the hook sees it, inside the transaction that wrote it. */
export interface HookedMessage {
  id: string;
  chatId: string;
  seq: number;
  senderId: string | null;
  senderContactId: string | null;
  /** 'ai' for the AI agent of a bridged channel (no user sender); null for people. */
  senderKind: 'ai' | null;
  body: string;
  internal: boolean;
  /** The files sent with it, in order (only on 'created'). */
  attachments: HookedAttachment[];
  delivery: MessageDelivery | null;
  /** 'created' only: the sender asked to send even if a hook would warn (e.g. someone replied meanwhile). */
  force?: boolean;
}

export interface HookedAttachment {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
}

export type MessageChange =
  | { kind: 'created'; message: HookedMessage }
  | { kind: 'edited'; message: HookedMessage }
  | { kind: 'deleted'; message: HookedMessage };

/**
 * Lets a module add writes to the transaction of a message change in chats of one type (the bridge writes its
 * outbox row beside an operator's message). Throwing rolls the whole change back, so a refusal stores nothing.
 */
export interface MessageTransactionHook {
  beforeCommit(tx: TransactionQuery, change: MessageChange): Promise<{ delivery?: MessageDelivery } | void>;
}

/**
 * Hooks by chat type. The messenger consults it without knowing who registered what; chats of a type without a
 * hook keep the one-statement send path.
 */
@Injectable()
export class MessageHookRegistry {
  private readonly hooks = new Map<string, MessageTransactionHook>();
  private types: string[] = [];

  register(chatType: string, hook: MessageTransactionHook): void {
    if (this.hooks.has(chatType)) throw new Error(`a message hook for chat type "${chatType}" is already registered`);
    this.hooks.set(chatType, hook);
    this.types = [...this.hooks.keys()];
  }

  for(chatType: string): MessageTransactionHook | undefined {
    return this.hooks.get(chatType);
  }

  /** The chat types the fast path must leave to the transactional one. */
  hookedTypes(): string[] {
    return this.types;
  }
}
