// Everything in the source that is not a table: reported by the plan (views are carried over
// when their SQL is plain enough to be SQLite as is).
import type { PoolClient } from 'pg';
import type { SourceObject } from '../../catalog/types.js';
import { catalogName } from './postgres-constraints.js';

/** Schemas that belong to the system, never to the user's application. */
export const USER_SCHEMA = (alias: string) =>
  `${alias}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${alias}.nspname NOT LIKE 'pg\\_toast%' AND ${alias}.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** Not created by an extension (PostGIS tables, uuid-ossp functions, citext types ...). */
export const NOT_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

const qualified = (schema: string, name: string) => (schema === 'public' ? name : `${schema}.${name}`);

interface Row {
  kind: SourceObject['kind'];
  schema: string;
  name: string;
  table_schema: string | null;
  table_name: string | null;
  definition: string | null;
}

// One UNION query: every object kind with the same columns, in a stable order.
const OBJECTS_SQL = `
SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END AS kind, n.nspname AS schema, c.relname::text AS name,
       NULL AS table_schema, NULL AS table_name, pg_get_viewdef(c.oid, true) AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_class', 'c.oid')}
UNION ALL
SELECT 'trigger', n.nspname, t.tgname, n.nspname, c.relname, pg_get_triggerdef(t.oid, true)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND NOT c.relispartition AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_class', 'c.oid')}
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname,
       -- argument types only (as regprocedure prints them), without the schema
       p.proname || '(' || coalesce(array_to_string(ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes) a), ', '), '') || ')', NULL, NULL,
       CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_proc', 'p.oid')}
UNION ALL
SELECT 'sequence', n.nspname, s.relname, NULL, NULL,
       'START ' || ps.start_value || ' INCREMENT ' || ps.increment_by || ' LAST ' || coalesce(ps.last_value::text, 'none')
  FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
  JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname
 WHERE s.relkind = 'S' AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_class', 's.oid')}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_attrdef'::regclass AND d.refobjid = s.oid
                     AND d.refclassid = 'pg_class'::regclass)
UNION ALL
SELECT 'extension', n.nspname, x.extname, NULL, NULL, 'version ' || x.extversion
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
 WHERE x.extname <> 'plpgsql'
UNION ALL
SELECT 'exclusion_constraint', n.nspname, co.conname, n.nspname, c.relname, pg_get_constraintdef(co.oid, true)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE co.contype = 'x' AND co.conparentid = 0 AND ${USER_SCHEMA('n')}
UNION ALL
SELECT 'rule', n.nspname, r.rulename, n.nspname, c.relname, pg_get_ruledef(r.oid, true)
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE r.rulename <> '_RETURN' AND ${USER_SCHEMA('n')}
UNION ALL
SELECT 'policy', p.schemaname, p.policyname, p.schemaname, p.tablename,
       'FOR ' || p.cmd || coalesce(' USING (' || p.qual || ')', '') || coalesce(' WITH CHECK (' || p.with_check || ')', '')
  FROM pg_policies p
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname, t.typname, NULL, NULL,
       CASE t.typtype
         WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
         WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                       || coalesce((SELECT ' ' || string_agg(pg_get_constraintdef(k.oid, true), ' ' ORDER BY k.conname)
                                      FROM pg_constraint k WHERE k.contypid = t.oid), '')
         ELSE (SELECT '(' || string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) || ')'
                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
       END
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
   AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_type', 't.oid')}
ORDER BY 1, 2, 3, 5`;

export async function loadObjects(client: PoolClient, onlyPublicTables: boolean): Promise<SourceObject[]> {
  const r = await client.query<Row>(OBJECTS_SQL);
  return r.rows.map((row) => {
    const table = row.table_schema !== null && row.table_name !== null ? catalogName(row.table_schema, row.table_name) : undefined;
    const name = table !== undefined ? `${row.name} on ${qualified(row.table_schema!, row.table_name!)}` : qualified(row.schema, row.name);
    const obj: SourceObject = { kind: row.kind, name };
    if (table !== undefined) obj.table = table;
    if (row.definition !== null) obj.definition = row.definition;
    if (row.kind === 'view' && onlyPublicTables && row.schema === 'public' && row.definition !== null) {
      const sqlite = viewAsSqlite(row.definition);
      if (sqlite !== undefined) obj.sqlite = sqlite;
    }
    return obj;
  });
}

// Words that may stand before '(' in a plain SELECT that SQLite runs with the same meaning.
const SQLITE_CALLS = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'lower', 'upper', 'coalesce', 'nullif', 'abs', 'length',
  'in', 'exists', 'as', 'on', 'and', 'or', 'not', 'from', 'join', 'where', 'select', 'when', 'then', 'else', 'using', 'by',
]);

/**
 * A view's SELECT when it reads as SQLite as is (best judgement: no casts, no Postgres-only
 * operators or functions). Only views over public tables, whose names do not change.
 */
export function viewAsSqlite(definition: string): string | undefined {
  const body = definition.trim().replace(/;$/, '');
  if (/::|~~|~\*|!~|\bILIKE\b|\bARRAY\b|\bDISTINCT\s+ON\b|\bLATERAL\b|\bINTERVAL\b|\$|"\w+"\."\w+"\."/i.test(body)) return undefined;
  if (/\b\w+\.\w+\.\w+/.test(body)) return undefined; // schema.table.column: another schema
  for (const m of body.matchAll(/\b(\w+)\s*\(/g)) if (!SQLITE_CALLS.has(m[1].toLowerCase())) return undefined;
  return body;
}
