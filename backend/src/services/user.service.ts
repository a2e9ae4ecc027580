import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { notFound } from '@/core/errors';
import { UserRepository } from '@/repositories/user.repository';
import { toPublicUser, toUserResponse, type UpdateMeDto, type UserResponseDto, type UserSearchQueryDto, type UserSearchResponseDto } from '@/schemas/user.dto';

@Injectable()
export class UserService {
  constructor(private readonly users: UserRepository) {}

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
}
