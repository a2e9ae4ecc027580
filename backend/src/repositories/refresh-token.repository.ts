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
   * cannot both succeed: the loser sees it spent and is treated as a replay. A family with any revoked
   * member is dead, so a successor stored just after a replay revoked the family cannot be spent either.
   */
  async spend(tokenHash: string): Promise<SpendResult> {
    // UPDATE ... RETURNING comes back from the postgres driver as [rows, affectedCount].
    const [spent]: [RefreshTokenEntity[], number] = await this.repo.query(
      `UPDATE refresh_tokens t SET spent_at = now()
       WHERE t.token_hash = $1 AND t.spent_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
         AND NOT EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = t.family_id AND f.revoked_at IS NOT NULL)
       RETURNING t.id, t.user_id AS "userId", t.family_id AS "familyId"`,
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

  /** A family is alive while none of its tokens was revoked and one of them has not expired. */
  async familyAlive(familyId: string): Promise<boolean> {
    const rows: Array<{ alive: boolean }> = await this.repo.query(
      `SELECT coalesce(bool_and(revoked_at IS NULL) AND max(expires_at) > now(), false) AS alive FROM refresh_tokens WHERE family_id = $1`,
      [familyId],
    );
    return rows[0]?.alive === true;
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.repo.findOne({ where: { tokenHash } });
  }
}
