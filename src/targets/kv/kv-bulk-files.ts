// Files for `wrangler kv bulk put`: JSON arrays of { key, value, base64?, expiration?, metadata }
// with at most 10,000 pairs and 100 MB each (KV's bulk limits), one pair per line so a reader can
// stream them back. A file is written as `.partial` and renamed when complete; the manifest lists
// complete files only, so after a crash the partial file is dropped and its keys, which the
// journal never recorded, are written again into the next file.
import { isUtf8 } from 'node:buffer';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { KvEntry } from '../../keyspace/redis-kv-rules.js';
import { KV_BULK_MAX_BYTES, KV_BULK_MAX_PAIRS } from '../../keyspace/kv-limits.js';

export const MANIFEST = 'manifest.json';

export interface BulkFileEntry {
  file: string;
  pairs: number;
  bytes: number;
  /** Remote targets: uploaded with wrangler kv bulk put. */
  uploaded?: boolean;
}

export interface Manifest {
  format: 'flarelift-kvjson/1';
  /** How to load the files, in order. */
  load: string;
  files: BulkFileEntry[];
}

/** One pair as a bulk-file line: UTF-8 values as they are, other bytes as base64. */
export function bulkLine(e: KvEntry): string {
  const text = isUtf8(e.value);
  return JSON.stringify({
    key: e.key,
    value: text ? e.value.toString('utf8') : e.value.toString('base64'),
    ...(text ? {} : { base64: true }),
    ...(e.expiration !== undefined ? { expiration: e.expiration } : {}),
    metadata: e.metadata,
  });
}

export function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, MANIFEST);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
}

export class BulkFiles {
  private manifest: Manifest;
  private fd: number | undefined;
  private pairs = 0;
  private bytes = 0;
  private commits: (() => void)[] = [];

  /** `onComplete` runs for each complete file before its pairs are committed (remote: the upload). */
  constructor(
    readonly dir: string,
    resume: boolean,
    load: string,
    private readonly onComplete: (entry: BulkFileEntry) => Promise<void> = async () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
    const earlier = readManifest(dir);
    for (const f of readdirSync(dir)) if (f.endsWith('.partial')) rmSync(path.join(dir, f));
    if (earlier && !resume) for (const f of earlier.files) rmSync(path.join(dir, f.file), { force: true });
    this.manifest = resume && earlier ? earlier : { format: 'flarelift-kvjson/1', load, files: [] };
    this.saveManifest();
  }

  get files(): readonly BulkFileEntry[] {
    return this.manifest.files;
  }

  /** Files complete but not yet passed to onComplete's success (a resume after a failed upload). */
  async retryIncomplete(isDone: (e: BulkFileEntry) => boolean, mark: (e: BulkFileEntry) => void): Promise<void> {
    for (const f of this.manifest.files) {
      if (isDone(f)) continue;
      await this.onComplete(f);
      mark(f);
      this.saveManifest();
    }
  }

  async add(entries: readonly KvEntry[], commit: () => void): Promise<void> {
    for (const e of entries) {
      const line = bulkLine(e);
      const size = Buffer.byteLength(line) + 2;
      if (this.fd !== undefined && (this.pairs >= KV_BULK_MAX_PAIRS || this.bytes + size + 2 > KV_BULK_MAX_BYTES)) await this.close();
      if (this.fd === undefined) this.openNext();
      writeSync(this.fd!, `${this.pairs === 0 ? '[\n' : ',\n'}${line}`);
      this.pairs++;
      this.bytes += size;
    }
    this.commits.push(commit);
  }

  /** Completes the current file (if any) and commits what it holds. */
  async close(): Promise<void> {
    if (this.fd !== undefined) {
      writeSync(this.fd, '\n]\n');
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      const name = this.nextName();
      renameSync(path.join(this.dir, `${name}.partial`), path.join(this.dir, name));
      const entry: BulkFileEntry = { file: name, pairs: this.pairs, bytes: this.bytes + 4 };
      this.manifest.files.push(entry);
      this.saveManifest();
      await this.onComplete(entry);
      this.saveManifest();
      this.pairs = 0;
      this.bytes = 0;
    }
    // Batches with nothing to write (all skipped or rejected) commit too.
    const commits = this.commits;
    this.commits = [];
    for (const c of commits) c();
  }

  saveManifest(): void {
    const file = path.join(this.dir, MANIFEST);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(this.manifest, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }

  private nextName(): string {
    return `${String(this.manifest.files.length + 1).padStart(5, '0')}.json`;
  }

  private openNext(): void {
    this.fd = openSync(path.join(this.dir, `${this.nextName()}.partial`), 'w');
    this.bytes = 2;
  }
}
