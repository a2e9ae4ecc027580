import { Injectable } from '@nestjs/common';
import { repliedMeanwhile } from '@/core/errors';
import type { HookedMessage, TransactionQuery } from '@/core/message-hooks';
import { CollisionRepository } from '@/modules/bridge/repositories/collision.repository';
import { ViewerRepository } from '@/modules/bridge/repositories/viewer.repository';
import { UserService } from '@/services/user.service';

/**
 * Never answer a customer twice: an operator's reply into a thread where another operator replied after this one
 * opened it is refused with 409 REPLIED_MEANWHILE, unless the send says `force: true`. "Opened" is when the
 * operator's viewing of the thread began (see ViewerService); a client that never says it is viewing is not checked.
 */
@Injectable()
export class CollisionService {
  constructor(
    private readonly viewers: ViewerRepository,
    private readonly collisions: CollisionRepository,
    private readonly users: UserService,
  ) {}

  /** Runs inside the reply's transaction, so a refusal stores nothing. */
  async checkReply(tx: TransactionQuery, message: HookedMessage): Promise<void> {
    if (!message.senderId || message.internal) return;
    const openedAt = await this.viewers.openedAt(message.chatId, message.senderId);
    if (openedAt === null) return;
    if (!message.force) {
      const other = await this.collisions.lastReplyByOtherInTransaction(tx, message.chatId, message.senderId, openedAt, message.seq);
      if (other) {
        const [person] = await this.users.publicUsers([other.senderId]);
        throw repliedMeanwhile({ userId: other.senderId, name: person?.displayName || person?.username || 'Another operator' }, new Date(other.createdAt));
      }
    }
    // The sender has now answered with the other reply in view: only replies after this one count next time.
    await this.viewers.resetOpened(message.chatId, message.senderId, Date.now());
  }
}
