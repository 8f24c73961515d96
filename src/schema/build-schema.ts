// The whole D1 schema for a catalog: tables in foreign-key-safe order, their indexes, the views
// and triggers that are already SQLite, and a finding for everything that does not carry over.
import type { CastRules } from '../casting/rules.js';
import type { Finding } from '../catalog/findings.js';
import type { Catalog, Index } from '../catalog/types.js';
import { mapTable, type TableMapping } from './mapping.js';
import { checkNames } from './names.js';
import { tableDdl } from './sqlite-ddl.js';
import { orderByForeignKeys } from './table-order.js';

export interface SchemaResult {
  /** Tables in the order they are created (referenced tables first). */
  tables: TableMapping[];
  /** Statements, each ending in ';', with no BEGIN/COMMIT (D1 rejects them). */
  statements: string[];
  findings: Finding[];
  /** Database-unique name of each carried index, by table and source index name. */
  indexNames: Map<string, Map<string, string>>;
  /** What the migration creates, for reports and tests. */
  counts: { tables: number; columns: number; indexes: number; foreignKeys: number; views: number; triggers: number };
}

export function buildSchema(catalog: Catalog, rules: CastRules): SchemaResult {
  const findings: Finding[] = [...checkNames(catalog)];
  const tables = orderByForeignKeys(catalog.tables).map((t) => mapTable(t, rules));
  const usedIndexNames = new Set(catalog.tables.map((t) => t.name.toLowerCase()));
  // SQLite index names share one namespace per database (MySQL's are per table): prefix on clash.
  const indexNames = new Map<string, Map<string, string>>();
  const uniqueIndexName = (table: string) => (ix: Index) => {
    let name = ix.name;
    if (usedIndexNames.has(name.toLowerCase())) name = `${table}_${ix.name}`;
    for (let n = 2; usedIndexNames.has(name.toLowerCase()); n++) name = `${table}_${ix.name}_${n}`;
    usedIndexNames.add(name.toLowerCase());
    if (!indexNames.has(table)) indexNames.set(table, new Map());
    indexNames.get(table)!.set(ix.name, name);
    return name;
  };

  const statements: string[] = [];
  const indexStatements: string[] = [];
  const counts = { tables: 0, columns: 0, indexes: 0, foreignKeys: 0, views: 0, triggers: 0 };
  for (const m of tables) {
    const ddl = tableDdl(m, uniqueIndexName(m.name));
    statements.push(ddl.createTable);
    indexStatements.push(...ddl.createIndexes);
    findings.push(...ddl.findings);
    counts.tables++;
    counts.columns += m.columns.length;
    counts.indexes += ddl.createIndexes.length;
    counts.foreignKeys += m.table.foreignKeys.length;
  }
  statements.push(...indexStatements);

  // Views and triggers written in SQLite (a SQLite source) carry over as they are; views go
  // after all tables since they may join any of them.
  for (const o of catalog.objects) {
    if (o.kind === 'view' && o.sqlite) {
      statements.push(ensureSemicolon(o.sqlite));
      counts.views++;
    }
  }
  for (const o of catalog.objects) {
    if (o.kind === 'trigger' && o.sqlite) {
      statements.push(ensureSemicolon(o.sqlite));
      counts.triggers++;
    }
  }
  return { tables, statements, findings, indexNames, counts };
}

function ensureSemicolon(sql: string): string {
  const s = sql.trim();
  return s.endsWith(';') ? s : `${s};`;
}

/** The migration file's text for `wrangler d1 migrations apply`. */
export function migrationSql(catalog: Catalog, schema: SchemaResult, header: string[]): string {
  const lines = [
    `-- flarelift: ${catalog.engine} database ${catalog.database} as D1 (SQLite)`,
    ...header.map((h) => `-- ${h}`),
    '-- Applied by: wrangler d1 migrations apply <database> --local | --remote',
    '',
  ];
  return `${lines.join('\n')}${schema.statements.join('\n\n')}\n`;
}

