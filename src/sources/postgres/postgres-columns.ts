// Columns of the catalog's tables: types through PgTypeCatalog, defaults normalized, identity and
// serial as autoIncrement, generated columns, domain CHECKs moved onto the table, and the next
// value of each column's sequence.
import type { PoolClient } from 'pg';
import type { Column, ColumnDefault, Table } from '../../catalog/types.js';
import { classifyDefault } from './postgres-defaults.js';
import { translateCondition, type ExprScope } from './postgres-expressions.js';
import { pgIdent, valueExpression } from './postgres-reader.js';
import { replaceValue } from './postgres-sql-parser.js';
import type { PgTypeCatalog } from './postgres-types.js';

/** A table being introspected: its pg_class oid beside the catalog entry. */
export interface TableEntry {
  oid: number;
  schema: string;
  relname: string;
  table: Table;
  /** Next sequence value per column name. */
  sequences: Map<string, string>;
}

interface ColumnRow {
  table_oid: number;
  name: string;
  source_type: string;
  type_oid: number;
  typmod: number;
  not_null: boolean;
  default_expr: string | null;
  identity: string;
  generated: string;
  comment: string | null;
  nondeterministic: string | null;
}

export function tableScope(table: Table, enumTypes: ReadonlySet<string>, value?: Column): ExprScope {
  return { column: (name) => table.columns.find((c) => c.name === name), value, enumTypes };
}

export async function loadColumns(client: PoolClient, entries: TableEntry[], types: PgTypeCatalog, enumTypes: ReadonlySet<string>): Promise<void> {
  const byOid = new Map(entries.map((e) => [e.oid, e]));
  const rows = await client.query<ColumnRow>(
    `SELECT a.attrelid AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS source_type,
            a.atttypid AS type_oid, a.atttypmod AS typmod, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity AS identity,
            a.attgenerated AS generated, col_description(a.attrelid, a.attnum) AS comment,
            (SELECT co.collname FROM pg_collation co WHERE co.oid = a.attcollation AND NOT co.collisdeterministic) AS nondeterministic
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [entries.map((e) => e.oid)],
  );
  const literals: { column: Column; raw: string }[] = [];
  for (const r of rows.rows) {
    const entry = byOid.get(r.table_oid)!;
    const t = types.resolve(r.type_oid, r.typmod);
    const column: Column = {
      name: r.name,
      ordinal: entry.table.columns.length + 1,
      sourceType: r.source_type,
      dataType: t.dataType,
      ...(t.elementType !== undefined && { elementType: t.elementType }),
      ...(t.domain !== undefined && { domain: t.domain }),
      ...(t.enumName !== undefined && { enumName: t.enumName, enumValues: t.enumValues }),
      ...(t.length !== undefined && { length: t.length }),
      ...(t.precision !== undefined && { precision: t.precision }),
      ...(t.scale !== undefined && { scale: t.scale }),
      nullable: !(r.not_null || t.domainNotNull),
      ...(r.comment !== null && { comment: r.comment }),
    };
    // citext and nondeterministic (ICU, case- or accent-insensitive) collations compare text loosely.
    if (t.dataType === 'citext') column.caseInsensitive = 'citext';
    else if (r.nondeterministic) column.caseInsensitive = r.nondeterministic;
    if (r.generated === 's' && r.default_expr !== null) {
      column.generated = r.default_expr;
    } else if (r.identity === 'a' || r.identity === 'd') {
      column.autoIncrement = true;
      column.default = { kind: 'sequence', raw: `GENERATED ${r.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` };
    } else {
      const raw = r.default_expr ?? t.domainDefault;
      if (raw !== undefined && raw !== null) {
        column.default = classifyDefault(raw);
        if (column.default.kind === 'sequence') column.autoIncrement = true;
        if (column.default.kind === 'literal') literals.push({ column, raw });
      }
    }
    entry.table.columns.push(column);
    for (const check of t.domainChecks) {
      const scope = tableScope(entry.table, enumTypes, column);
      const translated = translateCondition(check.expression, scope);
      entry.table.checks.push({
        name: `${column.name}_${check.name}`,
        expression: replaceValue(check.expression, pgIdent(column.name)),
        ...(translated.sql !== undefined && { sqlite: translated.sql }),
      });
    }
  }
  await renderLiterals(client, literals);
  await loadSequences(client, entries);
}

function literalSql(column: Column, raw: string): string {
  return `(${valueExpression(column, `((${raw})::${column.sourceType})`)})::text`;
}

function asDelivered(column: Column, text: string | null): string | null {
  // The reader delivers booleans as true/false; their text form for a default is t/f.
  if (column.dataType === 'boolean' && text !== null) return text === 'true' ? 't' : 'f';
  return text;
}

/**
 * Has the server render constant defaults as the reader would deliver them (numeric scale,
 * timestamps in UTC, arrays as JSON). Only constants reach here, so nothing is executed.
 */
async function renderLiterals(client: PoolClient, literals: { column: Column; raw: string }[]): Promise<void> {
  const CHUNK = 200; // well under Postgres's 1664 select-list entries
  for (let i = 0; i < literals.length; i += CHUNK) {
    const chunk = literals.slice(i, i + CHUNK);
    const values = await evaluate(client, chunk.map((l) => literalSql(l.column, l.raw)));
    if (values) {
      chunk.forEach((l, j) => setLiteral(l.column, asDelivered(l.column, values[j])));
      continue;
    }
    // One bad constant (say, a default its domain rejects) must not cost the others.
    for (const l of chunk) {
      const one = await evaluate(client, [literalSql(l.column, l.raw)]);
      if (one) setLiteral(l.column, asDelivered(l.column, one[0]));
    }
  }
}

function setLiteral(column: Column, value: string | null): void {
  const d = column.default as ColumnDefault & { kind: 'literal' };
  column.default = { kind: 'literal', value, raw: d.raw };
}

async function evaluate(client: PoolClient, exprs: string[]): Promise<(string | null)[] | undefined> {
  await client.query('SAVEPOINT flarelift_literal');
  try {
    const r = await client.query({ text: `SELECT ${exprs.join(', ')}`, rowMode: 'array' });
    await client.query('RELEASE SAVEPOINT flarelift_literal');
    return r.rows[0] as (string | null)[];
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT flarelift_literal');
    return undefined;
  }
}

/**
 * Next value of the sequence behind each column: the one it owns (serial, identity) or the one
 * its nextval() default uses (dumps such as Pagila's create sequences without OWNED BY).
 */
async function loadSequences(client: PoolClient, entries: TableEntry[]): Promise<void> {
  const byOid = new Map(entries.map((e) => [e.oid, e]));
  const r = await client.query<{ table_oid: number; column_name: string; next: string }>(
    `SELECT x.table_oid, a.attname AS column_name,
            (CASE WHEN ps.last_value IS NULL THEN ps.start_value::numeric
                  ELSE ps.last_value::numeric + ps.increment_by END)::text AS next
       FROM (SELECT d.refobjid AS table_oid, d.refobjsubid AS attnum, d.objid AS seq_oid, 0 AS pri
               FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
              WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
             UNION ALL
             SELECT ad.adrelid, ad.adnum, d.refobjid, 1
               FROM pg_attrdef ad
               JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                               AND d.refclassid = 'pg_class'::regclass
               JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S') x
       JOIN pg_attribute a ON a.attrelid = x.table_oid AND a.attnum = x.attnum
       JOIN pg_class s ON s.oid = x.seq_oid
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname
      WHERE x.table_oid = ANY($1::oid[])
      ORDER BY x.pri DESC`,
    [entries.map((e) => e.oid)],
  );
  // Owned sequences come last so they win over a default's sequence.
  for (const row of r.rows) byOid.get(row.table_oid)?.sequences.set(row.column_name, row.next);
}
