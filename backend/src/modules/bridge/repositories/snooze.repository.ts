import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The snoozed threads in PostgreSQL, the truth the delayed wake-up jobs are rebuilt from. */
@Injectable()
export class SnoozeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  snoozed(): Promise<Array<{ chatId: string; snoozedUntil: Date }>> {
    return this.dataSource.query(`SELECT chat_id AS "chatId", snoozed_until AS "snoozedUntil" FROM inbox_threads WHERE status = 'snoozed' ORDER BY snoozed_until`);
  }

  async snoozedUntil(chatId: string): Promise<Date | null> {
    const rows: Array<{ at: Date | null }> = await this.dataSource.query(`SELECT snoozed_until AS at FROM inbox_threads WHERE chat_id = $1 AND status = 'snoozed'`, [chatId]);
    return rows[0]?.at ?? null;
  }

  /** Opens the thread if it is still snoozed and its time has come; true when this call opened it. */
  async wakeIfDue(chatId: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE inbox_threads SET status = 'open', snoozed_until = NULL, updated_at = now()
       WHERE chat_id = $1 AND status = 'snoozed' AND (snoozed_until IS NULL OR snoozed_until <= now()) RETURNING chat_id`,
      [chatId],
    );
    return rows.length > 0;
  }
}
