import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@/core/auth';
import { UpdateMeDto, UserResponseDto, UserSearchQueryDto, UserSearchResponseDto } from '@/schemas/user.dto';
import { UserService } from '@/services/user.service';
import { Auth, Authenticated } from './auth.guard';

@ApiTags('users')
@Authenticated()
@Controller('users')
export class UserController {
  constructor(private readonly service: UserService) {}

  @Get('me')
  @ApiOperation({ operationId: 'getMe', summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponseDto })
  getMe(@Auth() auth: AuthContext): Promise<UserResponseDto> {
    return this.service.getMe(auth);
  }

  @Patch('me')
  @ApiOperation({ operationId: 'updateMe', summary: 'Change your settings (e-mail digest)' })
  @ApiOkResponse({ type: UserResponseDto })
  updateMe(@Auth() auth: AuthContext, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return this.service.updateMe(auth, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'searchUsers', summary: 'Find people by username or display name' })
  @ApiOkResponse({ type: UserSearchResponseDto })
  search(@Auth() auth: AuthContext, @Query() query: UserSearchQueryDto): Promise<UserSearchResponseDto> {
    return this.service.search(auth, query);
  }
}
