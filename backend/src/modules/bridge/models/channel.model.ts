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
