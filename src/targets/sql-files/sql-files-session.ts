// Writing a copy as import files for D1: one table per file, files under a size, each starting
// with `PRAGMA defer_foreign_keys = on;`, listed in manifest.json in foreign-key-safe order once
// complete. The manifest is the journal: rows in a file not yet listed are read again on resume.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../catalog/findings.js';
import type { TableMapping } from '../../schema/mapping.js';
import { UserError } from '../../errors.js';
import { guardWrite } from '../sqlite-file/sqlite-errors.js';
import type { JournalEntry, RowFailure, SchemaSetup, TargetReport, TargetSession, TargetState, WriteBatch } from '../target.js';
import { MANIFEST, readManifest, writeManifest, type Manifest, type ManifestFile } from './sql-manifest.js';
import { sqlBytes } from './sql-literals.js';
import { InsertStatements } from './sql-statements.js';
import { makeDirectory } from '../../make-directory.js';

export const DATA_FILE_HEADER = 'PRAGMA defer_foreign_keys = on;\n';

export interface SqlFilesOptions {
  dir: string;
  /** A file is closed before a batch would take it past this size. */
  fileBytes: number;
  /** Longest statement, ';' included. */
  statementBytes: number;
}

interface OpenFile {
  fd: number;
  name: string;
  chunk: number;
  bytes: number;
  rows: number;
  statements: number;
  firstKey: string | null;
}

/** Table names in file names: plain characters, and short (a 300-character name would pass the file system's limit). */
const MAX_NAME_IN_FILE = 60;
const safeName = (s: string) => {
  const plain = s.replace(/[^A-Za-z0-9_-]/g, '_');
  if (plain.length <= MAX_NAME_IN_FILE) return plain;
  return `${plain.slice(0, MAX_NAME_IN_FILE)}_${createHash('sha256').update(s).digest('hex').slice(0, 10)}`;
};

export class SqlFilesSession implements TargetSession {
  manifest!: Manifest;
  private readonly files = new Map<string, OpenFile>();
  private readonly pending = new Map<string, JournalEntry>();
  private readonly builders = new Map<string, InsertStatements>();
  /** Tables whose rows may reference later rows of the same table: kept in one file (see finish). */
  private readonly oneFile = new Set<string>();

  constructor(
    readonly options: SqlFilesOptions,
    /** d1 --remote: a finished manifest is still a journal until every file is applied. */
    private readonly completeIsJournal = false,
  ) {}

  private get where(): string {
    return this.options.dir;
  }

  async state(): Promise<TargetState> {
    const m = readManifest(this.options.dir);
    if (m?.complete && !this.completeIsJournal) {
      throw new UserError(`${this.options.dir} already holds a finished copy (manifest.json): choose an empty directory for a new one`);
    }
    if (m) {
      this.manifest = m;
      this.removeUnlisted();
      return { journal: m.tables.map(({ order: _o, key: _k, ...e }) => e), tables: new Map() };
    }
    if (existsSync(this.options.dir) && !statSync(this.options.dir).isDirectory()) {
      throw new UserError(`${this.options.dir} is a file, not a directory: sql:<dir> names a directory for the import files (a new or empty one)`);
    }
    if (existsSync(this.options.dir)) {
      // Left by a run killed before its manifest was written: a schema file and temporary files.
      const ours = (f: string) => f.endsWith('.tmp') || /^\d+-schema\.sql$/.test(f);
      const entries = readdirSync(this.options.dir);
      if (entries.some((f) => !ours(f))) {
        throw new UserError(`${this.options.dir} is not empty: choose an empty or new directory for the sql files`);
      }
      for (const f of entries) rmSync(path.join(this.options.dir, f), { force: true });
    }
    return { tables: new Map() };
  }

  async begin(setup: { schema?: SchemaSetup; entries: JournalEntry[]; tables: TableMapping[] }): Promise<void> {
    guardWrite(this.where, () => makeDirectory(this.options.dir));
    const order = new Map(setup.tables.map((m, i) => [m.name, i + 1]));
    this.manifest = {
      format: 'flarelift-sql/1',
      complete: false,
      postLoad: setup.schema?.postLoad ?? [],
      tables: setup.entries.map((e) => ({ ...e, order: order.get(e.table) ?? 0, key: setup.tables.find((m) => m.name === e.table)?.key })),
      files: [],
    };
    // The manifest comes last: until it exists the directory holds no copy (state() clears it).
    if (setup.schema) this.manifest.files.push(this.writeWhole(`${this.pad(0)}-schema.sql`, 'schema', setup.schema.preLoad));
    this.saveManifest();
  }

  async restart(table: TableMapping): Promise<void> {
    this.closeFile(table.name, true);
    for (const f of this.manifest.files.filter((f) => f.table === table.name)) rmSync(path.join(this.options.dir, f.file), { force: true });
    this.manifest.files = this.manifest.files.filter((f) => f.table !== table.name);
    this.commitEntry({ table: table.name, lastKey: null, read: 0, written: 0, rejected: 0, done: false });
  }

  async write(batch: WriteBatch): Promise<JournalEntry> {
    const name = batch.table.name;
    if (batch.table.table.foreignKeys.some((fk) => fk.refTable === name)) this.oneFile.add(name);
    const failures: RowFailure[] = [];
    const { text, statements } = this.builder(batch.table).render(batch.rows, failures);
    if (failures.length > 0) batch.onFailures(failures);
    const after = { ...batch.after, written: batch.after.written - failures.length, rejected: batch.after.rejected + failures.length };
    const rows = batch.rows.length - failures.length;
    let file = this.files.get(name);
    const size = sqlBytes(text);
    if (file && file.rows > 0 && file.bytes + size > this.options.fileBytes && !this.oneFile.has(name)) {
      // The file ends on the previous batch, whose entry is what it commits.
      this.finalize(name, this.pending.get(name)!);
      file = undefined;
    }
    if (rows > 0) {
      file ??= this.openFile(batch.table);
      const f = file;
      guardWrite(this.where, () => writeSync(f.fd, text));
      f.bytes += size;
      f.rows += rows;
      f.statements += statements;
      f.firstKey ??= batch.firstKey;
    }
    this.pending.set(name, after);
    if (after.done) {
      if (this.files.get(name)?.rows) this.finalize(name, after);
      else this.commitEntry(after);
    }
    return after;
  }

  async finish(tables: TableMapping[]): Promise<TargetReport> {
    if (this.manifest.complete) return { findings: [], notes: [] };
    if (this.manifest.postLoad.length > 0) {
      this.manifest.files.push(this.writeWhole(`${this.pad(tables.length + 1)}-post-load.sql`, 'post-load', this.manifest.postLoad));
    }
    this.manifest.complete = true;
    this.saveManifest();
    const bytes = this.manifest.files.reduce((s, f) => s + f.bytes, 0);
    const findings: Finding[] = [...this.oneFile].map((t) => ({
      severity: 'info',
      code: 'self-reference-one-file',
      object: t,
      message: `${t} references itself: its rows are kept in one file, since D1 checks deferred foreign keys at the end of each file`,
      fix: 'nothing to do; expect that file to be larger than --file-bytes',
    }));
    return {
      findings,
      notes: [`wrote ${this.manifest.files.length} files (${bytes.toLocaleString('en-US')} bytes) and ${MANIFEST} to ${this.options.dir}`],
    };
  }

  async close(): Promise<void> {
    for (const t of [...this.files.keys()]) this.closeFile(t, false);
  }

  private builder(m: TableMapping): InsertStatements {
    let b = this.builders.get(m.name);
    if (!b) this.builders.set(m.name, (b = new InsertStatements(m, this.options.statementBytes)));
    return b;
  }

  private pad(n: number): string {
    return String(n).padStart(Math.max(3, String(this.manifest.tables.length + 1).length), '0');
  }

  private openFile(m: TableMapping): OpenFile {
    const t = this.manifest.tables.find((e) => e.table === m.name)!;
    const chunk = Math.max(0, ...this.manifest.files.filter((f) => f.table === m.name).map((f) => f.chunk ?? 0)) + 1;
    const name = `${this.pad(t.order)}-${safeName(m.name)}-${String(chunk).padStart(4, '0')}.sql`;
    const fd = guardWrite(this.where, () => openSync(path.join(this.options.dir, `${name}.tmp`), 'w'));
    guardWrite(this.where, () => writeSync(fd, DATA_FILE_HEADER));
    const file = { fd, name, chunk, bytes: sqlBytes(DATA_FILE_HEADER), rows: 0, statements: 1, firstKey: null };
    this.files.set(m.name, file);
    return file;
  }

  /** Closes the table's file, renames it into place and lists it with the entry it commits. */
  private finalize(table: string, entry: JournalEntry): void {
    const f = this.files.get(table)!;
    this.closeFile(table, false);
    const tmp = path.join(this.options.dir, `${f.name}.tmp`);
    guardWrite(this.where, () => renameSync(tmp, path.join(this.options.dir, f.name)));
    const t = this.manifest.tables.find((e) => e.table === table)!;
    this.manifest.files.push({
      file: f.name,
      kind: 'data',
      table,
      order: t.order,
      chunk: f.chunk,
      rows: f.rows,
      bytes: f.bytes,
      statements: f.statements,
      ...(f.firstKey !== null ? { firstKey: JSON.parse(f.firstKey) as unknown } : {}),
      ...(entry.lastKey !== null ? { lastKey: JSON.parse(entry.lastKey) as unknown } : {}),
    });
    this.commitEntry(entry);
  }

  private commitEntry(entry: JournalEntry): void {
    const t = this.manifest.tables.find((e) => e.table === entry.table)!;
    Object.assign(t, entry);
    this.saveManifest();
  }

  private closeFile(table: string, remove: boolean): void {
    const f = this.files.get(table);
    if (!f) return;
    closeSync(f.fd);
    if (remove) rmSync(path.join(this.options.dir, `${f.name}.tmp`), { force: true });
    this.files.delete(table);
  }

  private writeWhole(file: string, kind: ManifestFile['kind'], statements: string[]): ManifestFile {
    // Post-load DDL may be sent twice to a remote D1 when a run dies mid-call: make it idempotent.
    const idempotent = (s: string) => (kind === 'post-load' ? s.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?(?:INDEX|VIEW|TRIGGER))\s+(?!IF\s+NOT\s+EXISTS\b)/i, '$1 IF NOT EXISTS ') : s);
    const text = statements.map((s) => `${idempotent(s.trim())}\n`).join('\n');
    const tmp = path.join(this.options.dir, `${file}.tmp`);
    guardWrite(this.where, () => {
      const fd = openSync(tmp, 'w');
      writeSync(fd, text);
      closeSync(fd);
      renameSync(tmp, path.join(this.options.dir, file));
    });
    return { file, kind, bytes: sqlBytes(text), statements: statements.length };
  }

  private saveManifest(): void {
    guardWrite(this.where, () => writeManifest(this.options.dir, this.manifest));
  }

  /** On resume: files not listed are from the interrupted run and are written again. */
  private removeUnlisted(): void {
    const listed = new Set(this.manifest.files.map((f) => f.file));
    for (const f of readdirSync(this.options.dir)) {
      if ((f.endsWith('.sql') || f.endsWith('.tmp')) && !listed.has(f)) rmSync(path.join(this.options.dir, f), { force: true });
    }
  }
}
