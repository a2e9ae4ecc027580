import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@/core/auth';
import { notFound, unauthorized } from '@/core/errors';
import type { ApiKeyContext } from '@/modules/bridge/models/api-key.model';
import { ApiKeyRepository } from '@/modules/bridge/repositories/api-key.repository';
import {
  type ApiKeyListResponseDto,
  type CreateApiKeyDto,
  type CreatedApiKeyResponseDto,
  toApiKeyResponse,
} from '@/modules/bridge/schemas/notification.dto';
import { UserService } from '@/services/user.service';

/** API keys for other systems (a shop, a CRM): admins create and revoke them; the key is shown once. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly users: UserService,
  ) {}

  async create(auth: AuthContext, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    await this.users.requireAdmin(auth);
    const { row, key } = await this.keys.create({ name: dto.name, scopes: dto.scopes, createdBy: auth.userId });
    return { ...toApiKeyResponse(row), key };
  }

  async list(auth: AuthContext): Promise<ApiKeyListResponseDto> {
    await this.users.requireAdmin(auth);
    return { items: (await this.keys.list()).map(toApiKeyResponse) };
  }

  async revoke(auth: AuthContext, id: string): Promise<void> {
    await this.users.requireAdmin(auth);
    if (!(await this.keys.revoke(id))) throw notFound('API key');
  }

  /** The caller behind a presented key; a missing, unknown or revoked key, or one without the scope, is 401. */
  async authenticate(key: string | undefined, scope: ApiKeyContext['scopes'][number]): Promise<ApiKeyContext> {
    if (!key) throw unauthorized('an API key is required: Authorization: Bearer <key> or X-Api-Key');
    const row = await this.keys.authenticate(key);
    if (!row) throw unauthorized('the API key is unknown or revoked');
    if (!row.scopes.includes(scope)) throw unauthorized(`the API key lacks the scope ${scope}`);
    return { keyId: row.id, scopes: row.scopes };
  }
}
