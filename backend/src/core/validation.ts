import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainException, ErrorCode } from '@/core/errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Whitelisted, transformed, and every failure names its field; HTTP bodies and socket payloads share it. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    const flat = flatten(errors);
    const message = flat.flatMap((f) => f.messages).join('; ') || 'request body must be a JSON object';
    return new DomainException(ErrorCode.Validation, message, { fields: flat.map((f) => f.field) });
  },
});

/** Validates a payload that did not come through an HTTP route (socket events) exactly as a request body would be. */
export async function validatePayload<T extends object>(metatype: new () => T, payload: unknown): Promise<T> {
  return (await validationPipe.transform(payload, { type: 'body', metatype })) as T;
}
