// Opens a source for the duration of one operation and always closes it.
import { openAnySource, openSource } from './registry.js';
import type { Source } from './source.js';
import type { UnitSource } from './unit-source.js';

async function using<S extends { close(): Promise<void> }, T>(source: S, fn: (source: S) => Promise<T>): Promise<T> {
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

/** A table source (a unit source is a user error here). */
export async function withSource<T>(from: string, fn: (source: Source) => Promise<T>): Promise<T> {
  return using(await openSource(from), fn);
}

/** A table source or a unit source: the commands that take both (plan, copy, verify, migrate). */
export async function withAnySource<T>(from: string, fn: (source: Source | UnitSource) => Promise<T>): Promise<T> {
  return using(await openAnySource(from), fn);
}
