import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { badRequest, forbidden, notFound } from '@/core/errors';
import { USER_ROLES, type UserRole } from '@/models/user.entity';
import { EventRepository } from '@/repositories/event.repository';
import { UserRepository } from '@/repositories/user.repository';
import {
  toPublicUser,
  toUserResponse,
  type AdminUserListResponseDto,
  type AdminUsersQueryDto,
  type PublicUserDto,
  type UpdateMeDto,
  type UpdateUserRoleDto,
  type UserResponseDto,
  type UserSearchQueryDto,
  type UserSearchResponseDto,
} from '@/schemas/user.dto';

@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly events?: EventRepository,
  ) {}

  async getMe(auth: AuthContext): Promise<UserResponseDto> {
    const user = await this.users.findById(auth.userId);
    if (!user) throw notFound('User');
    return toUserResponse(user);
  }

  async updateMe(auth: AuthContext, dto: UpdateMeDto): Promise<UserResponseDto> {
    const user = await this.users.updateSettings(auth.userId, dto);
    if (!user) throw notFound('User');
    return toUserResponse(user);
  }

  async search(_auth: AuthContext, query: UserSearchQueryDto): Promise<UserSearchResponseDto> {
    // `search` keeps its prefix-only meaning for existing clients; `q` adds similar names (typos, parts of names).
    const { items, total } = await this.users.search(query.q ?? query.search, query.limit ?? 20, query.offset ?? 0, query.q !== undefined);
    return { items: items.map(toPublicUser), total };
  }

  /**
   * Admin rights are read from the database on every admin call, not from the token: a demoted admin loses them
   * at once rather than when the access token expires.
   */
  /** Links a Telegram account (proven by the bot's `/start <code>`) to the user; returns the user's display name. */
  async linkTelegram(userId: string, telegram: { userId: string; username: string | null }): Promise<string> {
    const user = await this.users.findById(userId);
    if (!user) throw notFound('User');
    await this.users.linkTelegram(userId, telegram);
    return user.displayName;
  }

  async unlinkTelegram(auth: AuthContext): Promise<boolean> {
    return this.users.unlinkTelegram(auth.userId);
  }

  /** The user a Telegram account is linked to. */
  async findByTelegramId(telegramUserId: string): Promise<{ id: string; displayName: string; username: string; role: UserRole } | null> {
    const user = await this.users.findByTelegramId(telegramUserId);
    return user ? { id: user.id, displayName: user.displayName, username: user.username, role: user.role } : null;
  }

  async requireAdmin(auth: AuthContext): Promise<void> {
    if ((await this.users.roleOf(auth.userId)) !== 'admin') throw forbidden('only admins can do this');
  }

  /** The caller's current role (null for an account that no longer exists). */
  roleOf(userId: string): Promise<UserRole | null> {
    return this.users.roleOf(userId);
  }

  adminIds(): Promise<string[]> {
    return this.users.idsWithRole('admin');
  }

  async publicUsers(ids: string[]): Promise<PublicUserDto[]> {
    const users = await Promise.all([...new Set(ids)].map((id) => this.users.findById(id)));
    return users.filter((u) => u !== null).map(toPublicUser);
  }

  async countExisting(ids: string[]): Promise<number> {
    return this.users.countExisting([...new Set(ids)]);
  }

  async adminList(auth: AuthContext, query: AdminUsersQueryDto): Promise<AdminUserListResponseDto> {
    await this.requireAdmin(auth);
    const { items, total } = await this.users.listAll(query.limit ?? 50, query.offset ?? 0);
    return { items: items.map(toUserResponse), total };
  }

  async adminSetRole(auth: AuthContext, userId: string, dto: UpdateUserRoleDto): Promise<UserResponseDto> {
    await this.requireAdmin(auth);
    // An installation must keep someone who can manage it.
    if (userId === auth.userId && dto.role !== 'admin') throw badRequest('you cannot take admin rights from yourself; ask another admin', ['role']);
    const before = await this.users.roleOf(userId);
    const user = await this.users.setRole(userId, dto.role);
    if (!user) throw notFound('User');
    if (before !== user.role) this.events?.emit('user.role-changed', { userId, role: user.role });
    return toUserResponse(user);
  }

  /** For the command line, when nobody can sign in as an admin any more. */
  async setRoleByLogin(login: string, role: string): Promise<UserResponseDto> {
    if (!(USER_ROLES as readonly string[]).includes(role)) throw badRequest(`role must be one of ${USER_ROLES.join(', ')}`, ['role']);
    const user = await this.users.findByLogin(login.trim());
    if (!user) throw notFound('User');
    const updated = await this.users.setRole(user.id, role as UserRole);
    if (user.role !== updated!.role) this.events?.emit('user.role-changed', { userId: user.id, role: updated!.role });
    return toUserResponse(updated!);
  }
}
