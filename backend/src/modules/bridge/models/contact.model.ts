/** A customer: one per (channel, external user) (table `contacts`). */
export interface ContactRow {
  id: string;
  channelId: string;
  externalId: string;
  name: string;
  avatarUrl: string | null;
  profileUrl: string | null;
  /** Set when the provider says the customer blocked the bot or the chat is gone. */
  blockedAt: Date | null;
  /** Contacts an operator linked as one person share this id (one of theirs); null while the contact stands alone. */
  personId: string | null;
  /** Left by a web visitor in the widget; other channels do not know it. */
  email: string | null;
  createdAt: Date;
  updatedAt: Date;
}
