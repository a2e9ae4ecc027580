import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ApiKeyRow, ApiKeyScope } from '@/modules/bridge/models/api-key.model';

const COLUMNS = `id, name, key_prefix AS "keyPrefix", scopes, created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');

/** API keys: 256 random bits shown once; only their SHA-256 is stored, so a database leak yields no usable key. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(input: { name: string; scopes: ApiKeyScope[]; createdBy: string }): Promise<{ row: ApiKeyRow; key: string }> {
    const key = `mk_${randomBytes(32).toString('base64url')}`;
    const [row] = await this.dataSource.query<ApiKeyRow[]>(
      `INSERT INTO api_keys (name, key_hash, key_prefix, scopes, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [input.name, hashOf(key), key.slice(0, 10), input.scopes, input.createdBy],
    );
    return { row, key };
  }

  async list(): Promise<ApiKeyRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC`);
  }

  async revoke(id: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  /** The live key a presented secret belongs to, marking its use (at most once a minute, to spare writes). */
  async authenticate(key: string): Promise<ApiKeyRow | null> {
    const [row] = await this.dataSource.query<ApiKeyRow[]>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hashOf(key)]);
    if (!row) return null;
    if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > 60_000) {
      await this.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]);
    }
    return row;
  }
}
