import type { ChannelType } from '@messenger/api-client';

/** How the inbox names where a thread comes from. */
export const CHANNEL_LABELS: Record<ChannelType, string> = { telegram: 'Telegram', avito: 'Avito', web: 'Website' };
