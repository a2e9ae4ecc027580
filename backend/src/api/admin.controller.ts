import { Body, Controller, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '@/core/auth';
import { forbidden } from '@/core/errors';
import { ErrorResponseDto } from '@/schemas/common.dto';
import { AdminUserListResponseDto, AdminUsersQueryDto, UpdateUserRoleDto, UserResponseDto } from '@/schemas/user.dto';
import { UserService } from '@/services/user.service';
import { UuidParam } from './params';
import { Auth, Authenticated } from './auth.guard';
import { bearerToken } from './bearer';
import { cookieHeader } from './media-cookie';
import { BOARD_COOKIE, QUEUE_BOARD_PATH } from './queue-board';
import { epochSeconds } from '@/core/time';

@ApiTags('admin')
@Authenticated()
@Controller('admin')
export class AdminController {
  constructor(private readonly users: UserService) {}

  @Get('users')
  @ApiOperation({ operationId: 'adminListUsers', summary: 'Admins: every account with its role' })
  @ApiOkResponse({ type: AdminUserListResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  listUsers(@Auth() auth: AuthContext, @Query() query: AdminUsersQueryDto): Promise<AdminUserListResponseDto> {
    return this.users.adminList(auth, query);
  }

  @Patch('users/:id')
  @ApiOperation({ operationId: 'adminSetUserRole', summary: 'Admins: make an account a user, an operator or an admin' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  setRole(@Auth() auth: AuthContext, @UuidParam('id') id: string, @Body() dto: UpdateUserRoleDto): Promise<UserResponseDto> {
    return this.users.adminSetRole(auth, id, dto);
  }

  @Post('queues/session')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'openQueueBoard',
    summary: 'Admins: put the current access token in an httpOnly cookie scoped to /admin/queues, then open /admin/queues',
  })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Not an admin' })
  openQueueBoard(@Auth() auth: AuthContext, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    if (auth.role !== 'admin') throw forbidden('only admins can see the job queues');
    const token = bearerToken(request.headers) ?? '';
    // The cookie lives exactly as long as the token in it (at most 15 minutes).
    const maxAge = Math.max(0, (auth.expiresAt ?? 0) - epochSeconds());
    void reply.header('Set-Cookie', cookieHeader(request, BOARD_COOKIE, token, QUEUE_BOARD_PATH, maxAge));
  }
}
