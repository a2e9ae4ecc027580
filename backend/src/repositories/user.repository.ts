import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity, type UserRole } from '@/models/user.entity';

const USER_COLUMNS = `id, email, username, display_name AS "displayName", role, email_digest AS "emailDigest", created_at AS "createdAt", updated_at AS "updatedAt"`;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** pg_trgm word_similarity a name must reach: "алксандр" against "александр" scores 0.58, an unrelated name near 0. */
const NAME_SIMILARITY_THRESHOLD = '0.45';

@Injectable()
export class UserRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  /**
   * The first account of an empty installation becomes its admin. The advisory lock makes "empty" a fact for the
   * length of the transaction, so two first sign-ups at once cannot both become admin.
   */
  async create(input: Pick<UserEntity, 'email' | 'username' | 'displayName' | 'passwordHash'>): Promise<UserEntity> {
    return this.repo.manager.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('users:first-admin'))`);
      const rows = await tx.query(
        `INSERT INTO users (email, username, display_name, password_hash, role)
         VALUES ($1, $2, $3, $4, CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'user' ELSE 'admin' END)
         RETURNING ${USER_COLUMNS}`,
        [input.email, input.username, input.displayName, input.passwordHash],
      );
      return rows[0];
    });
  }

  async setRole(id: string, role: UserRole): Promise<UserEntity | null> {
    const [rows]: [UserEntity[], number] = await this.repo.query(`UPDATE users SET role = $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, role]);
    return rows[0] ?? null;
  }

  async roleOf(id: string): Promise<UserRole | null> {
    const rows: Array<{ role: UserRole }> = await this.repo.query('SELECT role FROM users WHERE id = $1', [id]);
    return rows[0]?.role ?? null;
  }

  async idsWithRole(role: UserRole): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.repo.query('SELECT id FROM users WHERE role = $1', [role]);
    return rows.map((r) => r.id);
  }

  /** Everyone, for the admin list: username order, with the total for paging. */
  async listAll(limit: number, offset: number): Promise<{ items: UserEntity[]; total: number }> {
    const [items, total] = await this.repo.createQueryBuilder('u').orderBy('lower(u.username)', 'ASC').limit(limit).offset(offset).getManyAndCount();
    return { items, total };
  }

  findByLogin(login: string): Promise<UserEntity | null> {
    return this.repo.createQueryBuilder('u').where('lower(u.email) = lower(:login) OR lower(u.username) = lower(:login)', { login }).getOne();
  }

  /** Which of email / username is already taken (case-insensitively). */
  async findTaken(email: string, username: string): Promise<{ email: boolean; username: boolean }> {
    const rows: Array<{ email: boolean; username: boolean }> = await this.repo.query(
      `SELECT bool_or(lower(email) = lower($1)) AS email, bool_or(lower(username) = lower($2)) AS username
       FROM users WHERE lower(email) = lower($1) OR lower(username) = lower($2)`,
      [email, username],
    );
    return { email: !!rows[0]?.email, username: !!rows[0]?.username };
  }

  /** By e-mail or username, with the password hash, for login only. */
  findByLoginWithHash(login: string): Promise<UserEntity | null> {
    return this.repo
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:login) OR lower(u.username) = lower(:login)', { login })
      .getOne();
  }

  async updateSettings(id: string, settings: { emailDigest?: boolean }): Promise<UserEntity | null> {
    if (settings.emailDigest !== undefined) await this.repo.update({ id }, { emailDigest: settings.emailDigest });
    return this.findById(id);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async countExisting(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows: Array<{ n: string }> = await this.repo.query('SELECT count(*) AS n FROM users WHERE id = ANY($1::uuid[])', [ids]);
    return Number(rows[0].n);
  }

  /**
   * Prefix matches (the start of the username or of any word of the display name) first, then names similar by
   * pg_trgm word_similarity — "Алекс" finds "Александр", one wrong letter still matches — over the trigram index on
   * lower(username || ' ' || display_name). The threshold is set for this transaction only.
   */
  async search(term: string | undefined, limit: number, offset: number, similar = true): Promise<{ items: UserEntity[]; total: number }> {
    const q = term?.trim().toLowerCase();
    if (!q) {
      const [items, total] = await this.repo.createQueryBuilder('u').orderBy('lower(u.username)', 'ASC').limit(limit).offset(offset).getManyAndCount();
      return { items, total };
    }
    const prefix = `${escapeLike(q)}%`;
    return this.repo.manager.transaction(async (tx) => {
      await tx.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [NAME_SIMILARITY_THRESHOLD]);
      const rows: Array<UserEntity & { total: string }> = await tx.query(
        `SELECT id, username, display_name AS "displayName", role, count(*) OVER () AS total
         FROM users u
         WHERE lower(u.username) LIKE $2 OR lower(u.display_name) LIKE $2 OR lower(u.display_name) LIKE $3
            OR ($6 AND $1 <% lower(u.username || ' ' || u.display_name))
         ORDER BY (lower(u.username) LIKE $2 OR lower(u.display_name) LIKE $2 OR lower(u.display_name) LIKE $3) DESC,
                  word_similarity($1, lower(u.username || ' ' || u.display_name)) DESC, lower(u.username)
         LIMIT $4 OFFSET $5`,
        [q, prefix, `% ${prefix}`, limit, offset, similar],
      );
      return { items: rows.map(({ total: _total, ...user }) => user as UserEntity), total: rows.length ? Number(rows[0].total) : 0 };
    });
  }

  /** Links a Telegram account to a user, taking it from any other user first (a Telegram id links to one account). */
  async linkTelegram(id: string, telegram: { userId: string; username: string | null }): Promise<void> {
    await this.repo.manager.transaction(async (tx) => {
      await tx.query(`UPDATE users SET telegram_user_id = NULL, telegram_username = NULL, telegram_linked_at = NULL WHERE telegram_user_id = $1 AND id <> $2`, [telegram.userId, id]);
      await tx.query(`UPDATE users SET telegram_user_id = $2, telegram_username = $3, telegram_linked_at = now() WHERE id = $1`, [id, telegram.userId, telegram.username]);
    });
  }

  async unlinkTelegram(id: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.repo.query(
      `UPDATE users SET telegram_user_id = NULL, telegram_username = NULL, telegram_linked_at = NULL WHERE id = $1 AND telegram_user_id IS NOT NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async findByTelegramId(telegramUserId: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { telegramUserId } });
  }
}
