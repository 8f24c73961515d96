// `--to d1:<database> --remote`: the copy is written as import files (the sql: target) in a work
// directory beside the Worker project's .wrangler state, then each file is sent with the user's
// wrangler (`d1 execute <db> --remote --file <f> --yes`), in manifest order. The manifest
// records every file applied, so a resumed copy sends only what D1 does not have yet.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import { findD1Database, findWranglerConfig } from '../../cloudflare/wrangler-config.js';
import { findWrangler, Wrangler } from '../../cloudflare/wrangler-cli.js';
import { SqlFilesSession } from '../sql-files/sql-files-session.js';
import { SQL_FILES_CAPABILITIES, sqlFilesOptions } from '../sql-files/sql-files-target.js';
import { MANIFEST, writeManifest, type ManifestFile } from '../sql-files/sql-manifest.js';
import type { Target, TargetSession } from '../target.js';

export interface D1RemoteOptions {
  database: string;
  config?: string;
  fileBytes?: number;
  cwd?: string;
}

export function d1RemoteTarget(options: D1RemoteOptions): Target {
  const cwd = options.cwd ?? process.cwd();
  const config = findWranglerConfig({ config: options.config, cwd });
  findD1Database(config, options.database);
  const projectDir = path.dirname(config.path);
  const dir = path.join(projectDir, '.wrangler', 'flarelift', `remote-${options.database.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  const files = sqlFilesOptions(dir, options.fileBytes);
  const description = `remote D1 '${options.database}' (through wrangler; files in ${dir})`;
  const args = ['d1', 'execute', options.database, '--remote', '--config', config.path];
  const wrangler = () => {
    const bin = findWrangler(projectDir, cwd);
    if (!bin) throw new UserError('no wrangler found: install it in the Worker project (npm i -D wrangler) or put it on PATH');
    return new Wrangler(bin, cwd);
  };
  return {
    kind: 'd1-remote',
    description,
    capabilities: SQL_FILES_CAPABILITIES,
    lockFile: `${dir}.flarelift-lock`,
    async open() {
      return remoteSession(new SqlFilesSession(files, true), wrangler(), args, dir);
    },
    async reader() {
      const { openRemoteReader } = await import('./d1-remote-reader.js');
      return openRemoteReader(wrangler(), args, description);
    },
    async sync() {
      const { openRemoteSync } = await import('./d1-remote-sync.js');
      const syncDir = `${dir}-sync`;
      return openRemoteSync({ wrangler: wrangler(), args, dir: syncDir, statementBytes: files.statementBytes, fileBytes: files.fileBytes }, () =>
        existsSync(path.join(dir, MANIFEST)),
      );
    },
  };
}

function remoteSession(files: SqlFilesSession, wrangler: Wrangler, args: string[], dir: string): TargetSession {
  const query = (sql: string, what: string) => wrangler.query(args, sql, what);
  const tableCount = async (table: string) => Number((await query(`SELECT count(*) AS n FROM ${quoteAlways(table)}`, `counting ${table}`))[0]?.n);

  /** A file whose send was cut off: D1 applies a file whole, so its table's count says whether it landed. */
  const landed = async (f: ManifestFile): Promise<boolean> => {
    const m = files.manifest;
    if (f.kind === 'post-load') return false; // idempotent: send again
    if (f.kind === 'schema') {
      const first = m.tables[0]?.table;
      return first !== undefined && (await query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${first.replace(/'/g, "''")}'`, 'checking the schema')).length > 0;
    }
    const before = m.files.filter((g) => g.table === f.table && g.applied && g !== f).reduce((s, g) => s + (g.rows ?? 0), 0);
    const n = await tableCount(f.table!);
    if (n === before + (f.rows ?? 0)) return true;
    if (n === before) return false;
    throw new UserError(`remote table ${f.table} holds ${n} rows where ${before} or ${before + (f.rows ?? 0)} were expected: it changed outside this copy — start over with an empty database`);
  };

  return {
    async state(tables) {
      // The work directory is flarelift's own: without a manifest it holds nothing worth keeping.
      if (!existsSync(path.join(dir, MANIFEST))) rmSync(dir, { recursive: true, force: true });
      const resumed = await files.state();
      if (resumed.journal) return resumed;
      const present = new Set(
        (await query(`SELECT name FROM sqlite_master WHERE type = 'table'`, 'listing the remote tables')).map((r) => String(r.name).toLowerCase()),
      );
      const asked = tables.filter((t) => present.has(t.toLowerCase()));
      const found = new Map<string, boolean>();
      if (asked.length > 0) {
        // One statement per table in one call: D1 caps the terms of a compound SELECT.
        const sql = asked.map((t) => `SELECT EXISTS (SELECT 1 FROM ${quoteAlways(t)}) AS s`).join(';\n');
        const results = await wrangler.queryAll(args, sql, 'checking the remote tables');
        asked.forEach((t, i) => found.set(t, Number(results[i]?.[0]?.s) === 1));
      }
      return { tables: found };
    },
    begin: (setup) => files.begin(setup),
    restart: (table) => files.restart(table),
    write: (batch) => files.write(batch),
    close: () => files.close(),
    async finish(tables, notify) {
      const report = await files.finish(tables);
      const m = files.manifest;
      const todo = m.files.filter((f) => !f.applied);
      let sent = 0;
      for (const f of todo) {
        if (f.applying && (await landed(f))) {
          f.applied = true;
          delete f.applying;
          writeManifest(dir, m);
          continue;
        }
        f.applying = true;
        writeManifest(dir, m);
        notify?.(`sending ${f.file} to remote D1 (${++sent} of ${todo.length})`);
        await wrangler.run([...args, '--file', path.join(dir, f.file), '--yes'], `applying ${f.file} (fix the cause, then run copy --resume)`);
        f.applied = true;
        delete f.applying;
        writeManifest(dir, m);
      }
      rmSync(dir, { recursive: true, force: true });
      report.notes.push(`applied ${m.files.length} import files to remote D1 through wrangler`);
      return report;
    },
  };
}
