import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { USER_ROLES, type UserEntity, type UserRole } from '@/models/user.entity';

export class TelegramLinkDto {
  @ApiProperty({ description: "The Telegram user id" })
  telegramUserId: string;

  @ApiPropertyOptional({ description: 'The Telegram @username, if it has one' })
  username?: string;

  @ApiProperty({ format: 'date-time' })
  linkedAt: string;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  username: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ enum: USER_ROLES, enumName: 'UserRole' })
  role: UserRole;

  @ApiProperty({ description: 'Whether unread messages are summarised by e-mail while you are away' })
  emailDigest: boolean;

  @ApiProperty({ type: TelegramLinkDto, nullable: true, description: 'The linked Telegram account (POST /users/me/telegram-link), or null' })
  telegramLink: TelegramLinkDto | null;
}

export class UpdateMeDto {
  @ApiPropertyOptional({ description: 'Receive an e-mail digest of unread messages while away (at most one an hour)' })
  @IsOptional()
  @IsBoolean({ message: 'emailDigest must be true or false' })
  emailDigest?: boolean;
}

/** What other people see of a user: no e-mail. */
export class PublicUserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  username: string;

  @ApiProperty()
  displayName: string;
}

export class UserSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Matches the start of a username or of any word of a display name first, then similar names (a typo, part of a name)',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;

  @ApiPropertyOptional({ description: 'Prefix matches only (the start of a username or of a display-name word); q wins when both are given', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  search?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  offset?: number;
}

export class UserSearchResponseDto {
  @ApiProperty({ type: [PublicUserDto] })
  items: PublicUserDto[];

  @ApiProperty({ description: 'Matches in all pages' })
  total: number;
}

export class UpdateUserRoleDto {
  @ApiProperty({ enum: USER_ROLES, enumName: 'UserRole' })
  @IsIn(USER_ROLES, { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role: UserRole;
}

export class AdminUsersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

export class AdminUserListResponseDto {
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];

  @ApiProperty({ description: 'Accounts in all pages' })
  total: number;
}

export const toUserResponse = (user: UserEntity): UserResponseDto => ({
  id: user.id,
  email: user.email,
  username: user.username,
  displayName: user.displayName,
  role: user.role,
  emailDigest: user.emailDigest ?? true,
  telegramLink:
    user.telegramUserId && user.telegramLinkedAt
      ? { telegramUserId: String(user.telegramUserId), ...(user.telegramUsername ? { username: user.telegramUsername } : {}), linkedAt: new Date(user.telegramLinkedAt).toISOString() }
      : null,
});

export const toPublicUser = (user: Pick<UserEntity, 'id' | 'username' | 'displayName'>): PublicUserDto => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
});
