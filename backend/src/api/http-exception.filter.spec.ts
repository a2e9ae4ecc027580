import { type ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainException, ErrorCode, rateLimited } from '@/core/errors';
import { HttpExceptionFilter } from './http-exception.filter';

function respond(exception: unknown) {
  const reply = { status: vi.fn(), send: vi.fn(), header: vi.fn() };
  reply.status.mockReturnValue(reply);
  reply.header.mockReturnValue(reply);
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-123' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return { status: reply.status.mock.calls[0][0] as number, body: reply.send.mock.calls[0][0], header: reply.header };
}

describe('HttpExceptionFilter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('turns an unexpected error into a bare 500 with a correlation id that is also logged', () => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failure = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const { status, body } = respond(failure);
    expect(status).toBe(500);
    expect(body).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', correlationId: 'req-123' });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|hunter2|at .*\.ts/);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ err: failure, correlationId: 'req-123' }), expect.any(String));
  });

  it('maps domain errors to their status and sets Retry-After on 429', () => {
    expect(respond(new DomainException(ErrorCode.NotFound, 'Chat not found'))).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', message: 'Chat not found' },
    });
    const limited = respond(rateLimited(30));
    expect(limited.status).toBe(429);
    expect(limited.header).toHaveBeenCalledWith('Retry-After', '30');
  });

  it('passes the fields of a validation failure through', () => {
    const { status, body } = respond(new DomainException(ErrorCode.Validation, 'body must be ...', { fields: ['body'] }));
    expect(status).toBe(400);
    expect(body.fields).toEqual(['body']);
  });

  it('keeps 4xx errors raised by Nest or Fastify as 4xx with their message', () => {
    expect(respond(new BadRequestException('Unexpected token'))).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(respond(tooLarge)).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } });
  });
});
