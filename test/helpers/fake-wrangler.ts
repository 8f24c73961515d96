// A fake `wrangler` for tests of `copy --remote`: `wrangler d1 execute <db> --remote --file f
// --yes` and `--command <sql> --json`, applied to the SQLite file $FAKE_D1_DIR/<db>.sqlite.
// It enforces what D1 enforces, so a test fails the way production would: a statement over
// 100,000 bytes, BEGIN/COMMIT/SAVEPOINT/RELEASE/ROLLBACK, ATTACH/DETACH, a value or row over
// 2,000,000 bytes, and foreign keys (always on; PRAGMA defer_foreign_keys honoured). A file is
// applied all or nothing, like D1's import. Run through test/helpers/wrangler.ts's shim.
// `kv bulk put` goes to the fake remote KV (fake-wrangler-kv.ts).
import Database from 'better-sqlite3';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kvMain } from './fake-wrangler-kv.js';

const MAX_STATEMENT_BYTES = 100_000;
const MAX_ROW_BYTES = 2_000_000;

function fail(message: string): never {
  process.stderr.write(`✘ [ERROR] ${message}\n`);
  process.exit(1);
}

/** Splits SQL text into statements: quotes, comments and trigger bodies (BEGIN … END;) respected. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let depth = 0; // inside CREATE TRIGGER … BEGIN … END
  let cases = 0; // CASE … END inside a trigger body
  let i = 0;
  const word = (at: number) => /^[A-Za-z_]+/.exec(sql.slice(at, at + 20))?.[0]?.toUpperCase() ?? '';
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < sql.length) {
        if (sql[i] === close) {
          if (sql[i + 1] === close && close !== ']') i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (/[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1]))) {
      const w = word(i);
      const statementSoFar = sql.slice(start, i).trim().toUpperCase();
      if (w === 'BEGIN' && /^CREATE\s+(TEMP\s+|TEMPORARY\s+)?TRIGGER/.test(statementSoFar)) depth++;
      else if (w === 'CASE' && depth > 0) cases++;
      else if (w === 'END' && cases > 0) cases--;
      else if (w === 'END' && depth > 0) depth--;
      i += w.length;
    } else if (c === ';' && depth === 0) {
      const s = sql.slice(start, i + 1).trim();
      if (s !== ';') out.push(s);
      start = i + 1;
      i++;
    } else i++;
  }
  const rest = sql.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

const FORBIDDEN = /^\s*(BEGIN|COMMIT|END\s+TRANSACTION|END\s*;|SAVEPOINT|RELEASE|ROLLBACK|ATTACH|DETACH)\b/i;

function checkStatement(s: string): void {
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > MAX_STATEMENT_BYTES) fail(`statement too long: ${bytes} bytes (D1 allows ${MAX_STATEMENT_BYTES}): ${s.slice(0, 60)}…`);
  if (FORBIDDEN.test(s.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''))) {
    fail(`cannot start a transaction within a transaction (D1 refuses ${s.slice(0, 30)})`);
  }
}

/** D1 stores no string, BLOB or row over 2 MB: checked over the tables the file wrote to. */
function checkSizes(db: Database.Database, statements: string[]): void {
  const tables = new Set<string>();
  for (const s of statements) {
    const m = /^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE)\s+("(?:[^"]|"")+"|\w+)/i.exec(s);
    if (m) tables.add(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
  }
  for (const t of tables) {
    const cols = db.prepare(`PRAGMA table_info("${t.replace(/"/g, '""')}")`).all() as { name: string }[];
    if (cols.length === 0) continue;
    // A value over the limit makes its row over it too: the row total covers both.
    const sizes = cols.map((c) => `ifnull(length(CAST("${c.name.replace(/"/g, '""')}" AS BLOB)), 0)`);
    const row = db.prepare(`SELECT max(${sizes.join(' + ')}) AS r FROM "${t.replace(/"/g, '""')}"`).get() as { r: number | null };
    if ((row.r ?? 0) > MAX_ROW_BYTES) fail(`row too big in ${t}: ${row.r} bytes (D1 allows ${MAX_ROW_BYTES}) — SQLITE_TOOBIG`);
  }
}

/** A value as a SQL literal that reads back as the same storage class (an integral REAL keeps its '.0'). */
function literal(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** `wrangler d1 export <db> --remote --output f`: the schema, then one INSERT per row, as D1's export writes them. */
function exportDatabase(name: string, output: string | undefined): void {
  if (!output) fail('d1 export needs --output');
  const dir = process.env.FAKE_D1_DIR;
  if (!dir) fail('FAKE_D1_DIR is not set');
  const db = new Database(path.join(dir, `${name}.sqlite`), { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all() as { type: string; name: string; sql: string }[];
  const lines = ['PRAGMA defer_foreign_keys=TRUE;'];
  for (const o of objects.filter((x) => x.type === 'table')) {
    lines.push(`${o.sql};`);
    const q = `"${o.name.replace(/"/g, '""')}"`;
    for (const row of db.prepare(`SELECT * FROM ${q}`).raw().iterate() as Iterable<unknown[]>) lines.push(`INSERT INTO ${q} VALUES(${row.map(literal).join(',')});`);
  }
  for (const o of objects.filter((x) => x.type !== 'table')) lines.push(`${o.sql};`);
  writeFileSync(output, lines.join('\n') + '\n');
  process.stdout.write(`🌀 Exported to ${output}\n`);
}

function main(argv: string[]): void {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv[0] === 'kv') return kvMain(argv, fail);
  if (argv[0] === 'd1' && argv[1] === 'export') return exportDatabase(argv[2], get('--output'));
  if (argv[0] !== 'd1' || argv[1] !== 'execute') fail(`fake wrangler only does 'd1 execute', not: ${argv.join(' ')}`);
  const name = argv[2];
  const dir = process.env.FAKE_D1_DIR;
  if (!dir) fail('FAKE_D1_DIR is not set');
  mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, `${name}.sqlite`));
  db.pragma('foreign_keys = ON'); // D1 always enforces them
  const file = get('--file');
  const command = get('--command');
  // Tests read this to see what was sent, in which order.
  if (process.env.FAKE_D1_LOG) appendFileSync(process.env.FAKE_D1_LOG, `${JSON.stringify({ file, command })}\n`);
  if (file) {
    // A test can make one file fail, the way a lost connection or a D1 error would.
    const failOn = process.env.FAKE_D1_FAIL_FILE;
    if (failOn && path.basename(file).includes(failOn)) fail(`simulated failure applying ${path.basename(file)}`);
    const statements = splitStatements(readFileSync(file, 'utf8'));
    statements.forEach(checkStatement);
    try {
      db.transaction(() => {
        for (const s of statements) db.exec(s);
        checkSizes(db, statements);
        const fk = db.prepare('PRAGMA foreign_key_check').all();
        if (fk.length > 0) throw new Error(`FOREIGN KEY constraint failed (${fk.length} rows)`);
      })();
    } catch (e) {
      fail(`${(e as Error).message} [code: 7500]`);
    }
    process.stdout.write(`🚣 Executed ${statements.length} queries\n`);
    return;
  }
  if (command === undefined) fail('need --file or --command');
  const results = splitStatements(command).map((s) => {
    checkStatement(s);
    const stmt = db.prepare(s);
    return { results: stmt.reader ? stmt.all() : (stmt.run(), []), success: true, meta: { duration: 0 } };
  });
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
}

main(process.argv.slice(2));
