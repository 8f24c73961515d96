// A local directory as an object lister: files walked in the key order S3 and R2 list in (UTF-8
// bytes of the '/'-joined path), so resume and verify treat it as any bucket. Each directory's
// entries are sorted with a directory counting as its name plus '/', which makes the depth-first
// walk come out globally sorted while holding one directory's names at a time.
import { createReadStream, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StoredObject } from '../../catalog/stored-object.js';
import { UserError } from '../../errors.js';
import { BucketSource, type ListedEntry, type ObjectLister } from '../bucket/bucket-source.js';
import { md5OfStream } from '../bucket/digest.js';
import { contentTypeOf } from './content-types.js';

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

class DirLister implements ObjectLister {
  readonly engine = 'dir';
  readonly description: string;
  readonly name: string;

  constructor(private readonly root: string) {
    this.description = `directory ${root}`;
    this.name = path.basename(root) || 'files';
  }

  async *walk(after: string | undefined, signal?: AbortSignal): AsyncIterable<ListedEntry> {
    yield* this.walkDir('', after, signal);
  }

  private async *walkDir(rel: string, after: string | undefined, signal?: AbortSignal): AsyncIterable<ListedEntry> {
    const entries = await readdir(path.join(this.root, rel), { withFileTypes: true });
    const named = entries
      .filter((e) => e.isFile() || e.isDirectory())
      .map((e) => ({ key: rel + e.name + (e.isDirectory() ? '/' : ''), dir: e.isDirectory() }))
      .sort((a, b) => byBytes(a.key, b.key));
    for (const e of named) {
      if (signal?.aborted) return;
      if (e.dir) {
        // Skip a whole directory whose every key sorts before `after`.
        if (after !== undefined && byBytes(e.key, after) < 0 && !after.startsWith(e.key)) continue;
        yield* this.walkDir(e.key, after, signal);
      } else if (after === undefined || byBytes(e.key, after) > 0) {
        const s = await stat(path.join(this.root, e.key)).catch(() => undefined);
        if (s) yield { key: e.key, size: s.size };
      }
    }
  }

  async describe(entry: ListedEntry): Promise<StoredObject | undefined> {
    const file = path.join(this.root, ...entry.key.split('/'));
    const s = await stat(file).catch(() => undefined);
    if (!s?.isFile()) return undefined;
    const type = contentTypeOf(entry.key);
    const object: StoredObject = {
      size: s.size,
      lastModified: s.mtime,
      http: type ? { contentType: type } : {},
      meta: {},
      open: async (start) => createReadStream(file, start ? { start } : {}),
      digest: async () => md5OfStream(createReadStream(file)),
    };
    return object;
  }

  digest(object: StoredObject): Promise<string> {
    return object.digest!();
  }

  async close(): Promise<void> {
    // nothing held open
  }
}

export async function openDirSource(dir: string): Promise<BucketSource> {
  const root = path.resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UserError(`'${dir}' is not a directory: give dir:<path> of a directory of files`);
  return new BucketSource(new DirLister(root));
}
