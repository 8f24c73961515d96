// `flarelift rewrite --to d1:<db>`: the [[rewrite]] rules applied to values already in a local
// D1 (a database copied before the rules were written). Each rule is one UPDATE per text column
// with SQLite's replace(), which replaces every occurrence as copy's rewrite does, rules in the
// same order, all in one transaction; so `verify` with the same flarelift.toml then proves the
// target equals the source with the rewrite applied.
import { existsSync } from 'node:fs';
import type { RewriteRule } from '../casting/rewrite.js';
import { rewritesFor } from '../casting/rewrite.js';
import { locateLocalD1 } from '../cloudflare/local-state.js';
import { findWranglerConfig } from '../cloudflare/wrangler-config.js';
import { UserError } from '../errors.js';
import { quoteIdent } from '../schema/identifiers.js';

export interface RewriteD1Options {
  to: string;
  rules: readonly RewriteRule[];
  config?: string;
  persistTo?: string;
  cwd?: string;
}

export interface RewriteD1Result {
  target: string;
  columns: { column: string; rows: number }[];
}

export async function rewriteD1(o: RewriteD1Options): Promise<RewriteD1Result> {
  const m = /^d1:(.+)$/i.exec(o.to.trim());
  if (!m) throw new UserError(`rewrite takes a local D1 target, not '${o.to}': give --to d1:<database>`);
  if (o.rules.length === 0) throw new UserError('no [[rewrite]] rules: add them to flarelift.toml (from = "https://old/", to = "https://new/")');
  const cwd = o.cwd ?? process.cwd();
  const config = findWranglerConfig({ config: o.config, cwd });
  const location = locateLocalD1({ configPath: config.path, database: m[1], persistTo: o.persistTo, cwd });
  if (!existsSync(location.path)) throw new UserError(`local D1 '${m[1]}' has no data yet (${location.path}): copy into it first`);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(location.path);
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'").all() as { name: string }[]).map((t) => t.name);
    const columns: { column: string; rows: number }[] = [];
    db.transaction(() => {
      for (const table of tables) {
        const cols = (db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as { name: string; type: string }[]).filter((c) => /CHAR|CLOB|TEXT/i.test(c.type) || c.type === '');
        for (const c of cols) {
          const rules = rewritesFor(o.rules, table, c.name);
          let rows = 0;
          for (const r of rules) {
            const col = quoteIdent(c.name);
            rows += db.prepare(`UPDATE ${quoteIdent(table)} SET ${col} = replace(${col}, ?, ?) WHERE typeof(${col}) = 'text' AND instr(${col}, ?) > 0`).run(r.from, r.to, r.from).changes;
          }
          if (rows > 0) columns.push({ column: `${table}.${c.name}`, rows });
        }
      }
    })();
    return { target: `local D1 '${m[1]}' (${location.path})`, columns };
  } finally {
    db.close();
  }
}
