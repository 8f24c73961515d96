// manifest.json of a sql: directory: the files in the order they must be applied, each with its
// table, rows and key range, and per table what is committed. It is the journal of file
// targets: a file is listed only once fully written (written to a .tmp name, then renamed), and
// the manifest itself is replaced atomically.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { JournalEntry } from '../target.js';

export const MANIFEST = 'manifest.json';
export const FORMAT = 'flarelift-sql/1';

export interface ManifestFile {
  file: string;
  kind: 'schema' | 'data' | 'post-load';
  table?: string;
  /** Position of the table in foreign-key-safe order (files sort by it, then by chunk). */
  order?: number;
  chunk?: number;
  rows?: number;
  bytes: number;
  statements?: number;
  /** Keys (JSON) of the first and last row in the file, when the table has a key. */
  firstKey?: unknown;
  lastKey?: unknown;
  /** d1 --remote: the file was sent to D1 and succeeded; `applying` while in flight. */
  applying?: boolean;
  applied?: boolean;
}

export interface Manifest {
  format: typeof FORMAT;
  /** All tables copied and the post-load file written: the directory is ready to apply. */
  complete: boolean;
  /** DDL for after the load, kept until the post-load file is written. */
  postLoad: string[];
  tables: (JournalEntry & { order: number; key?: string[] })[];
  files: ManifestFile[];
}

const rank = (f: ManifestFile) => (f.kind === 'schema' ? 0 : f.kind === 'data' ? 1 : 2);

export function sortFiles(files: ManifestFile[]): ManifestFile[] {
  return files.sort((a, b) => rank(a) - rank(b) || (a.order ?? 0) - (b.order ?? 0) || (a.chunk ?? 0) - (b.chunk ?? 0));
}

export function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}): remove the directory to start over`);
  }
  if (m.format !== FORMAT) throw new UserError(`${file} is not a flarelift manifest (${FORMAT}): choose an empty directory`);
  return m;
}

export function writeManifest(dir: string, m: Manifest): void {
  sortFiles(m.files);
  const file = path.join(dir, MANIFEST);
  writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}
