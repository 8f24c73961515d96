// A Drizzle `sqlite-core` schema matching the generated DDL, column for column: each column's
// builder and mode come from its cast's transform, so what Drizzle reads is what copy wrote.
import type { ForeignKeyAction } from '../catalog/types.js';
import type { DrizzleColumn } from '../casting/transforms.js';
import type { SchemaResult } from './build-schema.js';
import { defaultSql } from './defaults.js';
import { quoteIdent } from './identifiers.js';
import { nocase } from './sqlite-ddl.js';
import type { ColumnMapping, TableMapping } from './mapping.js';

const TS_RESERVED = new Set(
  `break case catch class const continue debugger default delete do else enum export extends false finally for
function if import in instanceof new null return super switch this throw true try typeof var void while with
as implements interface let package private protected public static yield any boolean number string symbol
type from of await async sql`.split(/\s+/),
);

/** A valid, readable TS identifier: camelCase of the SQL name. */
export function tsIdentifier(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let id = words
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('');
  if (!id) id = 'column';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return TS_RESERVED.has(id) ? `${id}_` : id;
}

function uniqueIds(names: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of names) {
    let id = tsIdentifier(n);
    for (let i = 2; used.has(id); i++) id = `${tsIdentifier(n)}${i}`;
    used.add(id);
    out.set(n, id);
  }
  return out;
}

const str = (s: string) => JSON.stringify(s);
const templateText = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

function drizzleOf(c: ColumnMapping): DrizzleColumn {
  const d = c.cast.transform.drizzle;
  return typeof d === 'function' ? d(c.cast.column) : d;
}

// Drizzle's blob({ mode: 'buffer' }) calls Buffer, which a Worker has only with the nodejs_compat
// flag ("Buffer is not defined" otherwise): bytes are read as Uint8Array through this custom type.
const BYTES_TYPE = `/** BLOB as Uint8Array: works in a Worker without the nodejs_compat flag (blob({ mode: 'buffer' }) needs it). */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array | number[] }>({
  dataType: () => 'blob',
  fromDriver: (v) => (v instanceof Uint8Array ? v : Array.isArray(v) ? Uint8Array.from(v) : new Uint8Array(v)),
  toDriver: (v) => v,
});`;

// sqlite-core has no column collation: a text type whose DDL name carries COLLATE NOCASE gives
// drizzle-kit the same column the migration creates.
const NOCASE_TYPE = `/** TEXT COLLATE NOCASE: the source compared this column case-insensitively. */
const textNocase = customType<{ data: string }>({ dataType: () => 'text COLLATE NOCASE' });`;

function columnBuilder(m: TableMapping, c: ColumnMapping, used: Set<string>): string {
  const d = drizzleOf(c);
  if (d.builder === 'blob' && d.mode === 'buffer') {
    used.add('customType');
    used.add('bytes');
    return withModifiers(m, c, d, `bytes(${str(c.name)})`, used);
  }
  if (nocase(c)) {
    used.add('customType');
    used.add('textNocase');
    const labels = d.enumValues ? c.cast.column.enumValues : undefined;
    return withModifiers(m, c, { ...d, type: labels?.length ? labels.map(str).join(' | ') : d.type }, `textNocase(${str(c.name)})`, used);
  }
  used.add(d.builder);
  const opts: string[] = [];
  if (d.mode && d.mode !== 'number') opts.push(`mode: ${str(d.mode)}`);
  const values = c.cast.column.enumValues;
  if (d.enumValues && values?.length) opts.push(`enum: [${values.map(str).join(', ')}]`);
  return withModifiers(m, c, d, `${d.builder}(${str(c.name)}${opts.length ? `, { ${opts.join(', ')} }` : ''})`, used);
}

/** $type, primary key, NOT NULL and default after the column's builder call. */
function withModifiers(m: TableMapping, c: ColumnMapping, d: DrizzleColumn, builder: string, used: Set<string>): string {
  let code = builder;
  if (d.type) code += `.$type<${d.type}>()`;
  const pk = m.table.primaryKey?.columns;
  if (pk?.length === 1 && pk[0] === c.name) {
    code += d.builder === 'integer' && c.cast.column.autoIncrement ? '.primaryKey({ autoIncrement: true })' : '.primaryKey()';
  } else if (!c.cast.column.nullable && !c.cast.transform.makesNulls) {
    code += '.notNull()';
  }
  const def = defaultSql(c.cast).sql;
  if (def) {
    used.add('sql');
    code += `.default(sql\`${templateText(def)}\`)`;
  }
  return code;
}

/** SQL text the migration writes, as a Drizzle sql`` template. */
function rawSql(text: string, used: Set<string>): string {
  used.add('sql');
  return `sql\`${templateText(text)}\``;
}

const ACTIONS: Record<ForeignKeyAction, string> = {
  'NO ACTION': 'no action',
  RESTRICT: 'restrict',
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
};

export function drizzleSchema(schema: SchemaResult): string {
  const used = new Set<string>();
  const tableIds = uniqueIds(schema.tables.map((t) => t.name));
  const colIds = new Map(schema.tables.map((m) => [m.name, uniqueIds(m.columns.map((c) => c.name))]));
  // Single-column foreign keys as .references(): the explicit AnySQLiteColumn return type is what
  // lets TypeScript accept self-references and cycles between tables (Drizzle's documented form).
  const references = (m: TableMapping, column: string): string => {
    const fk = m.table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === column && colIds.has(f.refTable));
    if (!fk) return '';
    used.add('AnySQLiteColumn');
    const actions = [
      ...(fk.onDelete !== 'NO ACTION' ? [`onDelete: ${str(ACTIONS[fk.onDelete])}`] : []),
      ...(fk.onUpdate !== 'NO ACTION' ? [`onUpdate: ${str(ACTIONS[fk.onUpdate])}`] : []),
    ];
    const target = `${tableIds.get(fk.refTable)}.${colIds.get(fk.refTable)?.get(fk.refColumns[0]!)}`;
    return `.references((): AnySQLiteColumn => ${target}${actions.length ? `, { ${actions.join(', ')} }` : ''})`;
  };
  const blocks: string[] = [];
  for (const m of schema.tables) {
    const ids = colIds.get(m.name)!;
    const cols = m.columns.map((c) => `  ${ids.get(c.name)}: ${columnBuilder(m, c, used)}${references(m, c.name)},`);
    const extras: string[] = [];
    const args = (names: readonly string[], table = m.name) =>
      names.map((n) => (table === m.name ? `t.${ids.get(n)}` : `${tableIds.get(table)}.${colIds.get(table)?.get(n)}`)).join(', ');
    const ref = (names: readonly string[], table = m.name) => `[${args(names, table)}]`;
    const pk = m.table.primaryKey?.columns;
    if (pk && pk.length > 1) {
      used.add('primaryKey');
      extras.push(`primaryKey({ columns: ${ref(pk)} })`);
    }
    for (const u of m.table.uniques) {
      used.add('unique');
      extras.push(`unique(${u.name ? str(u.name) : ''}).on(${args(u.columns)})`);
    }
    for (const fk of m.table.foreignKeys) {
      if (!colIds.has(fk.refTable) || fk.columns.length === 1) continue; // single-column: .references() above
      used.add('foreignKey');
      let code = `foreignKey({ columns: ${ref(fk.columns)}, foreignColumns: ${ref(fk.refColumns, fk.refTable)} })`;
      if (fk.onDelete !== 'NO ACTION') code += `.onDelete(${str(ACTIONS[fk.onDelete])})`;
      if (fk.onUpdate !== 'NO ACTION') code += `.onUpdate(${str(ACTIONS[fk.onUpdate])})`;
      extras.push(code);
    }
    for (const ix of m.table.indexes) {
      if (ix.untranslatable || (!ix.expressions?.length && !ix.columns.length)) continue;
      const fn = ix.unique ? 'uniqueIndex' : 'index';
      used.add(fn);
      const name = schema.indexNames.get(m.name)?.get(ix.name) ?? ix.name;
      // Expressions and DESC elements as SQL, as the migration writes them; plain columns as columns.
      const elements = ix.expressions?.length
        ? ix.expressions.map((e, i) => rawSql(`${e}${ix.desc?.[i] ? ' DESC' : ''}`, used))
        : ix.columns.map((col, i) => (ix.desc?.[i] ? rawSql(`${quoteIdent(col)} DESC`, used) : `t.${ids.get(col)}`));
      extras.push(`${fn}(${str(name)}).on(${elements.join(', ')})${ix.where ? `.where(${rawSql(ix.where, used)})` : ''}`);
    }
    // The same CHECKs as the migration: each column's (enum labels, booleans, SET, UNSIGNED), then the table's.
    const checks = [
      ...m.columns.flatMap((c) => {
        const expr = c.cast.transform.check?.(quoteIdent(c.name), c.cast.column);
        return expr ? [{ name: `${m.name}_${c.name}_check`, expr }] : [];
      }),
      ...m.table.checks.flatMap((ck, i) => (ck.sqlite ? [{ name: ck.name ?? `${m.name}_check_${i + 1}`, expr: ck.sqlite }] : [])),
    ];
    for (const ck of checks) {
      used.add('check');
      extras.push(`check(${str(ck.name)}, ${rawSql(ck.expr, used)})`);
    }
    const extra = extras.length ? `, (t) => [\n  ${extras.join(',\n  ')},\n]` : '';
    blocks.push(`export const ${tableIds.get(m.name)} = sqliteTable(${str(m.name)}, {\n${cols.join('\n')}\n}${extra});`);
  }
  const core = ['sqliteTable', ...[...used].filter((u) => !['sql', 'bytes', 'textNocase'].includes(u)).sort().map((u) => (u === 'AnySQLiteColumn' ? 'type AnySQLiteColumn' : u))];
  const header = [
    '// Generated by flarelift: the D1 schema as Drizzle sqlite-core tables.',
    `import { ${core.join(', ')} } from 'drizzle-orm/sqlite-core';`,
    ...(used.has('sql') ? ["import { sql } from 'drizzle-orm';"] : []),
  ];
  if (used.has('bytes')) header.push('', BYTES_TYPE);
  if (used.has('textNocase')) header.push('', NOCASE_TYPE);
  return `${header.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}
