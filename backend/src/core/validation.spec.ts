import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@/core/errors';
import { CreateChatDto } from '@/schemas/chat.dto';
import { SendMessageDto } from '@/schemas/message.dto';
import { validatePayload, validationPipe } from './validation';

describe('validation pipe', () => {
  it('refuses a NUL character, naming the field, before it can reach PostgreSQL', async () => {
    await expect(validatePayload(SendMessageDto, { clientId: 'c1', body: 'a\u0000b' })).rejects.toMatchObject({
      code: ErrorCode.Validation,
      message: 'body must not contain NUL characters',
      details: { fields: ['body'] },
    });
  });

  it('names the element of an array that holds it', async () => {
    await expect(validatePayload(CreateChatDto, { type: 'group', title: 'ok', memberIds: ['x', 'y\u0000'] })).rejects.toMatchObject({
      details: { fields: ['memberIds.1'] },
    });
  });

  it('names a query or path value by its parameter', async () => {
    await expect(validationPipe.transform('a\u0000', { type: 'param', data: 'chatId', metatype: String })).rejects.toMatchObject({
      details: { fields: ['chatId'] },
    });
    await expect(validationPipe.transform({ search: '\u0000' }, { type: 'query', metatype: Object })).rejects.toMatchObject({
      details: { fields: ['search'] },
    });
  });

  it('lets ordinary text through untouched', async () => {
    const dto = await validatePayload(SendMessageDto, { clientId: 'c1', body: '<b>\u00e9 👩‍👩‍👧</b>' });
    expect(dto.body).toBe('<b>\u00e9 👩‍👩‍👧</b>');
  });
});
