import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CannedResponseRow, LabelRow } from '@/modules/bridge/models/label.model';

const LABEL_COLUMNS = `l.id, l.name, l.color, l.created_at AS "createdAt", l.updated_at AS "updatedAt"`;
const CANNED_COLUMNS = `c.id, c.shortcut, c.body, c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** The unique index a write ran into, if any (a name or shortcut already taken). */
const uniqueViolation = (error: unknown): string | null => {
  const pg = (error as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string }) ?? {};
  const code = pg.driverError?.code ?? pg.code;
  return code === '23505' ? (pg.driverError?.constraint ?? pg.constraint ?? 'unique') : null;
};

export type WriteResult<T> = { status: 'ok'; row: T } | { status: 'taken' } | { status: 'missing' };

/** Labels, the labels of threads, and canned replies: small admin-managed tables of the inbox. */
@Injectable()
export class LabelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  listLabels(): Promise<LabelRow[]> {
    return this.dataSource.query(`SELECT ${LABEL_COLUMNS} FROM labels l ORDER BY lower(l.name)`);
  }

  async findLabel(id: string): Promise<LabelRow | null> {
    const rows: LabelRow[] = await this.dataSource.query(`SELECT ${LABEL_COLUMNS} FROM labels l WHERE l.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async createLabel(input: { name: string; color?: string }): Promise<WriteResult<LabelRow>> {
    try {
      const rows: LabelRow[] = await this.dataSource.query(
        `INSERT INTO labels AS l (name, color) VALUES ($1, coalesce($2, '#64748b')) RETURNING ${LABEL_COLUMNS}`,
        [input.name, input.color ?? null],
      );
      return { status: 'ok', row: rows[0] };
    } catch (error) {
      if (uniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  async updateLabel(id: string, input: { name?: string; color?: string }): Promise<WriteResult<LabelRow>> {
    try {
      const [rows]: [LabelRow[], number] = await this.dataSource.query(
        `UPDATE labels l SET name = coalesce($2, l.name), color = coalesce($3, l.color), updated_at = now() WHERE l.id = $1 RETURNING ${LABEL_COLUMNS}`,
        [id, input.name ?? null, input.color ?? null],
      );
      return rows[0] ? { status: 'ok', row: rows[0] } : { status: 'missing' };
    } catch (error) {
      if (uniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  /** The chats that carried the label, so their views can be refreshed. */
  async deleteLabel(id: string): Promise<string[] | null> {
    return this.dataSource.transaction(async (tx) => {
      const chats: Array<{ chatId: string }> = await tx.query(`SELECT chat_id AS "chatId" FROM thread_labels WHERE label_id = $1`, [id]);
      const [, count]: [unknown, number] = await tx.query(`DELETE FROM labels WHERE id = $1`, [id]);
      return count > 0 ? chats.map((c) => c.chatId) : null;
    });
  }

  async countExisting(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows: Array<{ n: number }> = await this.dataSource.query(`SELECT count(*)::int AS n FROM labels WHERE id = ANY($1::uuid[])`, [ids]);
    return rows[0]?.n ?? 0;
  }

  /** Replaces the thread's labels with exactly these, in one transaction. */
  async setThreadLabels(chatId: string, labelIds: string[]): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM thread_labels WHERE chat_id = $1 AND NOT (label_id = ANY($2::uuid[]))`, [chatId, labelIds]);
      if (labelIds.length)
        await tx.query(`INSERT INTO thread_labels (chat_id, label_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [chatId, labelIds]);
    });
  }

  /** Labels per thread, for the thread views. */
  async labelsOfThreads(chatIds: string[]): Promise<Map<string, LabelRow[]>> {
    const result = new Map<string, LabelRow[]>();
    if (chatIds.length === 0) return result;
    const rows: Array<LabelRow & { chatId: string }> = await this.dataSource.query(
      `SELECT tl.chat_id AS "chatId", ${LABEL_COLUMNS} FROM thread_labels tl JOIN labels l ON l.id = tl.label_id
       WHERE tl.chat_id = ANY($1::uuid[]) ORDER BY lower(l.name)`,
      [chatIds],
    );
    for (const { chatId, ...label } of rows) result.set(chatId, [...(result.get(chatId) ?? []), label]);
    return result;
  }

  listCanned(): Promise<CannedResponseRow[]> {
    return this.dataSource.query(`SELECT ${CANNED_COLUMNS} FROM canned_responses c ORDER BY lower(c.shortcut)`);
  }

  async findCanned(id: string): Promise<CannedResponseRow | null> {
    const rows: CannedResponseRow[] = await this.dataSource.query(`SELECT ${CANNED_COLUMNS} FROM canned_responses c WHERE c.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async createCanned(input: { shortcut: string; body: string; createdBy: string }): Promise<WriteResult<CannedResponseRow>> {
    try {
      const rows: CannedResponseRow[] = await this.dataSource.query(
        `INSERT INTO canned_responses AS c (shortcut, body, created_by) VALUES ($1, $2, $3) RETURNING ${CANNED_COLUMNS}`,
        [input.shortcut, input.body, input.createdBy],
      );
      return { status: 'ok', row: rows[0] };
    } catch (error) {
      if (uniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  async updateCanned(id: string, input: { shortcut?: string; body?: string }): Promise<WriteResult<CannedResponseRow>> {
    try {
      const [rows]: [CannedResponseRow[], number] = await this.dataSource.query(
        `UPDATE canned_responses c SET shortcut = coalesce($2, c.shortcut), body = coalesce($3, c.body), updated_at = now()
         WHERE c.id = $1 RETURNING ${CANNED_COLUMNS}`,
        [id, input.shortcut ?? null, input.body ?? null],
      );
      return rows[0] ? { status: 'ok', row: rows[0] } : { status: 'missing' };
    } catch (error) {
      if (uniqueViolation(error)) return { status: 'taken' };
      throw error;
    }
  }

  async deleteCanned(id: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(`DELETE FROM canned_responses WHERE id = $1`, [id]);
    return count > 0;
  }
}
