// Files for `wrangler kv bulk put`: JSON arrays of { key, value, base64?, expiration?, metadata }
// with at most 10,000 pairs and 100 MB each (KV's bulk limits), one pair per line so a reader can
// stream them back. The file being filled is `<n>.json.partial`; its committed length is kept in
// the copy's journal with the batch that reached it, so a resume cuts it back to that length and
// goes on appending. A full file is closed, renamed and listed in manifest.json (and, for remote
// KV, uploaded) before the next one starts.
import { isUtf8 } from 'node:buffer';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KV_BULK_MAX_BYTES, KV_BULK_MAX_PAIRS } from '../../cloudflare/limits.js';
import type { KvEntry } from './kv-cast.js';

export const MANIFEST = 'manifest.json';

export interface BulkFileEntry {
  file: string;
  pairs: number;
  bytes: number;
  /** Remote targets: uploaded with wrangler kv bulk put. */
  uploaded?: boolean;
}

export interface BulkState {
  files: BulkFileEntry[];
  /** The file being filled: its name, pairs and bytes as committed. */
  partial?: { file: string; pairs: number; bytes: number };
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

const CLOSE = '\n]\n';

export class BulkFiles {
  private state: BulkState;
  private fd: number | undefined;

  /**
   * `resumed`: the journal's state (undefined for a new copy: reset() removes earlier files).
   * `onComplete` runs for each full file (remote: the upload) before the next one starts.
   */
  constructor(
    readonly dir: string,
    resumed: BulkState | undefined,
    private readonly load: string,
    private readonly onComplete: (entry: BulkFileEntry) => Promise<void> = async () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
    if (!resumed) {
      this.state = { files: [] };
      return;
    }
    this.state = structuredClone(resumed);
    const p = this.state.partial;
    for (const f of readdirSync(dir)) if (f.endsWith('.partial') && f !== `${p?.file}.partial`) rmSync(path.join(dir, f));
    if (p) {
      const partial = path.join(dir, `${p.file}.partial`);
      // Completed after its last commit (a crash before the next): take it back and cut it.
      if (!existsSync(partial) && existsSync(path.join(dir, p.file))) renameSync(path.join(dir, p.file), partial);
      if (existsSync(partial)) truncateSync(partial, p.bytes);
      else this.state.partial = undefined;
    }
  }

  /** Whether the directory holds files of an earlier copy. */
  hasData(): boolean {
    return (readManifest(this.dir)?.files.length ?? 0) > 0 || readdirSync(this.dir).some((f) => f.endsWith('.partial'));
  }

  /** A new copy: the files of an earlier one go. */
  reset(): void {
    for (const f of readManifest(this.dir)?.files ?? []) rmSync(path.join(this.dir, f.file), { force: true });
    for (const f of readdirSync(this.dir)) if (f.endsWith('.partial')) rmSync(path.join(this.dir, f));
    rmSync(path.join(this.dir, MANIFEST), { force: true });
    this.state = { files: [] };
  }

  /** The state to journal with the batch just added. */
  snapshot(): BulkState {
    return structuredClone(this.state);
  }

  get files(): readonly BulkFileEntry[] {
    return this.state.files;
  }

  /** Complete files not uploaded yet (a resume after a crash or a failed upload). */
  async retryUploads(): Promise<void> {
    for (const f of this.state.files) if (!f.uploaded) await this.onComplete(f);
  }

  /** Appends the entries (a full file is completed on the way) and syncs the file. */
  async add(entries: readonly KvEntry[]): Promise<void> {
    for (const e of entries) {
      const line = bulkLine(e);
      const size = Buffer.byteLength(line) + 2;
      const p = this.state.partial;
      if (p && (p.pairs >= KV_BULK_MAX_PAIRS || p.bytes + size + CLOSE.length > KV_BULK_MAX_BYTES)) await this.complete();
      const fd = this.open();
      const part = this.state.partial!;
      const text = `${part.pairs === 0 ? '[\n' : ',\n'}${line}`;
      writeSync(fd, text);
      part.pairs++;
      part.bytes += Buffer.byteLength(text);
    }
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /** Closes the file being filled (if any) as a complete file. */
  async complete(): Promise<void> {
    const p = this.state.partial;
    if (!p) return;
    const fd = this.open();
    writeSync(fd, CLOSE);
    fsyncSync(fd);
    closeSync(fd);
    this.fd = undefined;
    renameSync(path.join(this.dir, `${p.file}.partial`), path.join(this.dir, p.file));
    const entry: BulkFileEntry = { file: p.file, pairs: p.pairs, bytes: p.bytes + CLOSE.length };
    this.state.partial = undefined;
    this.state.files.push(entry);
    this.writeManifest();
    await this.onComplete(entry);
  }

  writeManifest(): void {
    const file = path.join(this.dir, MANIFEST);
    const manifest: Manifest = { format: 'flarelift-kvjson/1', load: this.load, files: this.state.files };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (!this.state.partial) this.state.partial = { file: `${String(this.state.files.length + 1).padStart(5, '0')}.json`, pairs: 0, bytes: 0 };
    this.fd ??= openSync(path.join(this.dir, `${this.state.partial.file}.partial`), 'a');
    return this.fd;
  }
}
