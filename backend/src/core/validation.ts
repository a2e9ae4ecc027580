import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainException, ErrorCode } from '@/core/errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The path of the first string holding U+0000, which PostgreSQL text cannot store (it would fail there as a 500). */
function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 16 || ArrayBuffer.isView(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    const found = findNul(child, path ? `${path}.${key}` : key, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type !== 'custom') {
      const path = findNul(value, metadata.data ?? '');
      // A bare string body has no key of its own, so it is named by where it came from.
      const field = path || metadata.type;
      if (path !== null) throw new DomainException(ErrorCode.Validation, `${field} must not contain NUL characters`, { fields: [field] });
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisted, transformed, and every failure names its field; HTTP bodies and socket payloads share it. */
export const validationPipe = new AppValidationPipe({
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
