import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { RefreshTokenEntity } from '@/models/refresh-token.entity';

export type SpendResult =
  | { status: 'ok'; token: RefreshTokenEntity }
  | { status: 'reused'; token: RefreshTokenEntity }
  | { status: 'invalid' };

@Injectable()
export class RefreshTokenRepository {
  constructor(@InjectRepository(RefreshTokenEntity) private readonly repo: Repository<RefreshTokenEntity>) {}

  async create(input: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.repo.insert(input);
  }

  /**
   * Marks the token spent in one conditional UPDATE, so two concurrent refreshes with the same token
   * cannot both succeed: the loser sees it spent and is treated as a replay.
   */
  async spend(tokenHash: string): Promise<SpendResult> {
    // UPDATE ... RETURNING comes back from the postgres driver as [rows, affectedCount].
    const [spent]: [RefreshTokenEntity[], number] = await this.repo.query(
      `UPDATE refresh_tokens SET spent_at = now()
       WHERE token_hash = $1 AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING id, user_id AS "userId", family_id AS "familyId"`,
      [tokenHash],
    );
    if (spent.length > 0) return { status: 'ok', token: spent[0] };
    const existing = await this.repo.findOne({ where: { tokenHash } });
    if (!existing) return { status: 'invalid' };
    if (existing.spentAt && !existing.revokedAt) return { status: 'reused', token: existing };
    return { status: 'invalid' };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.repo.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.repo.findOne({ where: { tokenHash } });
  }
}
