import { Param, ParseUUIDPipe } from '@nestjs/common';
import { badRequest } from '@/core/errors';

/** A path id that must be a UUID; anything else is a 400 naming the parameter, never a database error. */
export const UuidParam = (name: string) =>
  Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => badRequest(`${name} must be a UUID`, [name]) }));
