export type ChannelType = 'telegram' | 'avito' | 'web';
export interface ChannelCapabilities { maxTextLength: number; attachments: 'any' | 'images'; canEdit: boolean; deleteWindowSeconds: number }
export const CHANNEL_CAPABILITIES: Record<ChannelType, ChannelCapabilities> = {
  telegram: { maxTextLength: 4096, attachments: 'any', canEdit: true, deleteWindowSeconds: 172_800 },
  avito: { maxTextLength: 1000, attachments: 'images', canEdit: false, deleteWindowSeconds: 3600 },
  // The widget is ours: edits and deletes reach the visitor at any time; files are images, shown inline.
  web: { maxTextLength: 4000, attachments: 'images', canEdit: true, deleteWindowSeconds: 315_360_000 },
};

export const CHANNEL_STATUSES = ['active', 'error', 'deleted'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

export const AI_MODES = ['auto', 'draft'] as const;
export type AiMode = (typeof AI_MODES)[number];
export const DEFAULT_HANDOFF_KEYWORDS = ['operator', 'human', 'оператор', 'менеджер', 'живой человек'];
export const DEFAULT_AGENT_NAME = 'AI assistant';

/** The channel's AI agent (column `channels.ai`); no credentials: the provider key is the server's (AI_API_KEY). */
export interface ChannelAiSettings {
  enabled: boolean;
  /** auto: the agent answers the customer; draft: it offers its answer to the operators and never sends it. */
  mode: AiMode;
  model: string;
  systemPrompt: string;
  temperature?: number;
  /** Words that make the customer's message a request for a person; the defaults when absent. */
  handoffKeywords?: string[];
  /** Sent when the model fails or is too slow, before the thread is handed to people. */
  fallbackText: string;
  /** The name the agent's messages are shown with. */
  agentName?: string;
}

/**
 * A Telegram bot or an Avito account (table `channels`). The module reads and writes its tables through explicit
 * SQL in its repositories, so these are row shapes rather than TypeORM entities.
 */
export interface ChannelRow {
  id: string;
  type: ChannelType;
  name: string;
  status: ChannelStatus;
  statusReason: string | null;
  externalAccountId: string | null;
  /** AES-256-GCM sealed JSON of the credentials: `<keyId>.<nonce>.<ciphertext+tag>` (see secret-box.repository). */
  credentialsSealed: string;
  webhookSecretSealed: string;
  /** sha256 of the webhook secret, compared in constant time on every webhook before anything else. */
  webhookSecretHash: string;
  /** Per-channel switches (autoAssign; for web channels allowedOrigins, greeting and theme, see WebChannelSettings). */
  settings: Record<string, unknown>;
  ai: ChannelAiSettings | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Who works a channel (table `channel_operators`); admins always may, without a row. */
export interface ChannelOperatorRow {
  channelId: string;
  userId: string;
  createdAt: Date;
}

/** What a web channel keeps in `settings`, beside the switches every channel has. */
export interface WebChannelSettings {
  /** Origins (scheme://host[:port]) whose pages may open visitor sessions. */
  allowedOrigins: string[];
  greeting?: string | null;
  theme?: { color?: string; position?: 'left' | 'right' } | null;
}
