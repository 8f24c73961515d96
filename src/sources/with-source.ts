// Opens a source for the duration of one operation and always closes it.
import { openSource } from './registry.js';
import type { Source } from './source.js';

export async function withSource<T>(from: string, fn: (source: Source) => Promise<T>): Promise<T> {
  const source = await openSource(from);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}
