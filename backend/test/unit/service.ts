import 'reflect-metadata';
import type { AppConfig } from '@/core/config';

type Class<T = unknown> = abstract new (...args: never[]) => T;

/** One stand-in: the class it replaces and the members the test needs (usually `vi.fn`s). */
export type Stand<T = unknown> = readonly [Class<T>, Partial<Record<keyof T, unknown>>];

export const stand = <T>(type: Class<T>, members: Partial<Record<keyof T, unknown>>): Stand<T> => [type, members];

/**
 * Builds a service for a unit test the way Nest would, from its constructor's parameter types: each repository (or
 * other service) comes from `stands` by class, and the one parameter without a class type is the config. A parameter
 * with no stand fails loudly, so a new dependency cannot slip past the tests as `undefined`.
 */
export function newTestService<S>(Service: new (...args: never[]) => S, stands: Stand[], config: Partial<AppConfig> = {}): S {
  const types: unknown[] = Reflect.getMetadata('design:paramtypes', Service) ?? [];
  const byType = new Map<unknown, unknown>(stands.map(([type, members]) => [type, members]));
  const args = types.map((type, index) => {
    if (byType.has(type)) return byType.get(type);
    if (type === Object) return config;
    throw new Error(`${Service.name}: no stand-in for constructor parameter ${index} (${(type as { name?: string })?.name ?? String(type)})`);
  });
  return new Service(...(args as never[]));
}
