import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { UserResponseDto } from './user.dto';

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.]+$' })
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  @Matches(/^[A-Za-z0-9_.]+$/, { message: 'username may contain only letters, digits, "_" and "."' })
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, description: 'Defaults to the username' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  displayName?: string;
}

export class LoginDto {
  @ApiProperty({ description: 'E-mail or username', maxLength: 254 })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  login: string;

  @ApiProperty({ maxLength: 256 })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'Omit to end the session held in the refresh cookie' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken?: string;
}

export class AuthResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;

  @ApiProperty({ description: 'JWT, valid for at most 15 minutes' })
  accessToken: string;

  @ApiProperty({ description: 'Single use: refreshing spends it and returns a new one' })
  refreshToken: string;

  @ApiProperty({ description: 'Seconds until the access token expires' })
  expiresIn: number;
}

/** The browser session: the rotated refresh token travels only in the httpOnly cookie, never in the body. */
export class SessionResponseDto extends OmitType(AuthResponseDto, ['refreshToken'] as const) {}
