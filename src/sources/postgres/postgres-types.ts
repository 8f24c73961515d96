// Resolving a column's type (domains, arrays, enums, typmods) from pg_type into the catalog's
// dataType vocabulary. The whole pg_type is loaded once: a few hundred rows, and it spares
// recursive queries for domains of domains and arrays of domains.
import type { PoolClient } from 'pg';

export interface PgType {
  oid: number;
  name: string;
  schema: string;
  /** b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  typtype: string;
  baseType: number;
  typmod: number;
  elem: number;
  category: string;
  notNull: boolean;
  defaultExpr: string | null;
}

export interface DomainCheck {
  name: string;
  expression: string;
}

export interface ResolvedType {
  dataType: string;
  elementType?: string;
  domain?: string;
  enumName?: string;
  enumValues?: string[];
  length?: number;
  precision?: number;
  scale?: number;
  /** CHECKs of the domain chain, written against VALUE. */
  domainChecks: DomainCheck[];
  domainNotNull: boolean;
  /** The nearest domain default, used when the column has none. */
  domainDefault?: string;
}

// pg_catalog type names -> the short names of Column.dataType.
const SHORT_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  char: 'char',
  varchar: 'varchar',
  varbit: 'varbit',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  timetz: 'timetz',
};

export class PgTypeCatalog {
  private constructor(
    private readonly types: Map<number, PgType>,
    private readonly enums: Map<number, string[]>,
    private readonly checks: Map<number, DomainCheck[]>,
  ) {}

  static async load(client: PoolClient): Promise<PgTypeCatalog> {
    const types = await client.query<{
      oid: number; name: string; schema: string; typtype: string; base: number; typmod: number;
      elem: number; category: string; not_null: boolean; default_expr: string | null;
    }>(`SELECT t.oid, t.typname AS name, n.nspname AS schema, t.typtype, t.typbasetype AS base,
              t.typtypmod AS typmod, t.typelem AS elem, t.typcategory AS category,
              t.typnotnull AS not_null, pg_get_expr(t.typdefaultbin, 0) AS default_expr
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`);
    const enumRows = await client.query<{ type_oid: number; label: string }>(
      'SELECT enumtypid AS type_oid, enumlabel AS label FROM pg_enum ORDER BY enumtypid, enumsortorder',
    );
    const checkRows = await client.query<{ type_oid: number; name: string; expression: string }>(
      `SELECT contypid AS type_oid, conname AS name, pg_get_expr(conbin, 0) AS expression
         FROM pg_constraint WHERE contypid <> 0 AND contype = 'c' ORDER BY contypid, conname`,
    );
    const typeMap = new Map<number, PgType>();
    for (const r of types.rows) {
      typeMap.set(r.oid, {
        oid: r.oid, name: r.name, schema: r.schema, typtype: r.typtype, baseType: r.base, typmod: r.typmod,
        elem: r.elem, category: r.category, notNull: r.not_null, defaultExpr: r.default_expr,
      });
    }
    const enums = new Map<number, string[]>();
    for (const r of enumRows.rows) enums.set(r.type_oid, [...(enums.get(r.type_oid) ?? []), r.label]);
    const checks = new Map<number, DomainCheck[]>();
    for (const r of checkRows.rows) checks.set(r.type_oid, [...(checks.get(r.type_oid) ?? []), { name: r.name, expression: r.expression }]);
    return new PgTypeCatalog(typeMap, enums, checks);
  }

  get(oid: number): PgType | undefined {
    return this.types.get(oid);
  }

  /** Enum type names as casts print them (bare when visible in public). */
  enumTypeNames(): Set<string> {
    const names = new Set<string>();
    for (const t of this.types.values()) if (t.typtype === 'e') names.add(this.displayName(t));
    return names;
  }

  enumLabels(oid: number): string[] {
    return this.enums.get(oid) ?? [];
  }

  /** The catalog's name for a type: bare in public/pg_catalog, schema-qualified elsewhere. */
  displayName(t: PgType): string {
    return t.schema === 'public' || t.schema === 'pg_catalog' ? t.name : `${t.schema}.${t.name}`;
  }

  resolve(typeOid: number, typmod: number): ResolvedType {
    const out: ResolvedType = { dataType: 'unknown', domainChecks: [], domainNotNull: false };
    let t = this.types.get(typeOid);
    let mod = typmod;
    // Walk the domain chain down to the base type; the outermost domain names the column's domain.
    while (t && t.typtype === 'd') {
      out.domain ??= this.displayName(t);
      out.domainChecks.push(...(this.checks.get(t.oid) ?? []));
      out.domainNotNull ||= t.notNull;
      if (out.domainDefault === undefined && t.defaultExpr !== null) out.domainDefault = t.defaultExpr;
      if (mod < 0) mod = t.typmod;
      t = this.types.get(t.baseType);
    }
    if (!t) return out;
    if (isArray(t)) {
      const element = this.resolve(t.elem, mod);
      out.dataType = 'array';
      out.elementType = element.dataType;
      out.enumName = element.enumName;
      out.enumValues = element.enumValues;
      Object.assign(out, sizes(element.dataType, mod));
      return out;
    }
    out.dataType = this.dataTypeOf(t);
    if (t.typtype === 'e') {
      out.enumName = this.displayName(t);
      out.enumValues = this.enumLabels(t.oid);
    }
    Object.assign(out, sizes(out.dataType, mod));
    return out;
  }

  private dataTypeOf(t: PgType): string {
    if (t.typtype === 'e') return 'enum';
    if (t.typtype === 'c') return 'composite';
    if (t.schema === 'pg_catalog') return SHORT_NAMES[t.name] ?? t.name;
    // Extension and user base types keep their name: citext, geometry, hstore, ltree ...
    return t.name;
  }
}

export function isArray(t: PgType): boolean {
  return t.category === 'A' && t.elem !== 0;
}

const VARHDRSZ = 4; // typmods of length-limited types include the 4-byte varlena header

/** length / precision / scale encoded in a typmod. */
export function sizes(dataType: string, typmod: number): Pick<ResolvedType, 'length' | 'precision' | 'scale'> {
  switch (dataType) {
    case 'varchar':
    case 'char':
      return typmod >= VARHDRSZ ? { length: typmod - VARHDRSZ } : {};
    case 'bit':
    case 'varbit':
      return typmod >= 0 ? { length: typmod } : {};
    case 'numeric': {
      if (typmod < VARHDRSZ) return {};
      const m = typmod - VARHDRSZ;
      // Since PG 15 the scale is an 11-bit signed field (negative scales round left of the point).
      const scale = ((m & 0x7ff) ^ 0x400) - 0x400;
      return { precision: (m >> 16) & 0xffff, scale };
    }
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
      // Unspecified precision means microseconds.
      return { precision: typmod >= 0 ? typmod : 6 };
    case 'interval': {
      const p = typmod >= 0 ? typmod & 0xffff : 0xffff;
      return { precision: p === 0xffff ? 6 : p };
    }
    default:
      return {};
  }
}
