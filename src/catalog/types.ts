// The canonical catalog: what every source introspector produces and every later step reads.
// Engine differences are captured as data here (dataType vocabulary, flags), never as
// `if (engine === ...)` in the core.

/** The registered source kind a catalog came from ('postgres', 'mysql', 'sqlite', …): an open set (sources/registry.ts). */
export type Engine = string;

/** A column default, normalized so the DDL writer never parses engine syntax. */
export type ColumnDefault =
  /** A constant; `value` is the text form the reader would deliver for that column (e.g. 't', '2020-01-01', '12.50'). */
  | { kind: 'literal'; value: string | null; raw: string }
  /** now() / CURRENT_TIMESTAMP / LOCALTIMESTAMP and friends. */
  | { kind: 'now'; raw: string }
  | { kind: 'current_date'; raw: string }
  | { kind: 'current_time'; raw: string }
  /** nextval(...), identity, auto_increment: expressed as INTEGER PRIMARY KEY / AUTOINCREMENT in SQLite. */
  | { kind: 'sequence'; raw: string }
  /** gen_random_uuid(), uuid(): SQLite can generate a random v4 via an expression. */
  | { kind: 'uuid'; raw: string }
  /** Anything else (function calls, casts we do not understand): not carried over, reported. */
  | { kind: 'expression'; raw: string };

export interface Column {
  name: string;
  /** 1-based position in the source table. */
  ordinal: number;
  /** The full type as the source prints it: "character varying(20)", "int(10) unsigned", "enum('a','b')". */
  sourceType: string;
  /**
   * Lower-case type name without size, from the engine's own vocabulary; cast rules match on it.
   * Postgres: integer, bigint, smallint, boolean, numeric, real, double precision, text, varchar, char,
   * uuid, json, jsonb, bytea, date, time, timetz, timestamp, timestamptz, interval, inet, cidr, macaddr,
   * money, tsvector, xml, bit, varbit, point, geometry, oid, enum (user enum), ...
   * MySQL: tinyint, smallint, mediumint, int, bigint, decimal, float, double, bit, char, varchar,
   * tinytext, text, mediumtext, longtext, binary, varbinary, tinyblob, blob, mediumblob, longblob,
   * enum, set, json, date, time, datetime, timestamp, year, geometry, point, linestring, polygon, ...
   * SQLite: the declared type lower-cased without size ("integer", "nvarchar", "numeric", "" for none).
   */
  dataType: string;
  /** Element dataType when the column is an array (dataType is then 'array'). */
  elementType?: string;
  /** Name of the Postgres domain the column was declared with; dataType is the domain's base type. */
  domain?: string;
  /** Name of the user-defined enum type (Postgres) — values are in enumValues. */
  enumName?: string;
  enumValues?: string[];
  /** The enum can hold '' besides its labels (MySQL stores it for an invalid value). */
  enumEmptyValue?: boolean;
  /**
   * The source compares this text column ignoring case (and often accents): the collation's name
   * (MySQL *_ci, a PostgreSQL nondeterministic ICU collation) or 'citext'. Carried as COLLATE NOCASE.
   */
  caseInsensitive?: string;
  /** MySQL SET members. */
  setValues?: string[];
  length?: number;
  precision?: number;
  scale?: number;
  unsigned?: boolean;
  nullable: boolean;
  default?: ColumnDefault;
  /** identity / serial / auto_increment / INTEGER PRIMARY KEY alias. */
  autoIncrement?: boolean;
  /** GENERATED ALWAYS AS (expr) [STORED]: the expression as the source prints it. */
  generated?: string;
  /** MySQL `ON UPDATE CURRENT_TIMESTAMP`: becomes a trigger-free finding (D1 has no such clause). */
  onUpdateCurrentTimestamp?: boolean;
  comment?: string;
}

export interface KeyConstraint {
  name?: string;
  columns: string[];
}

export interface Index {
  name: string;
  unique: boolean;
  /** Plain column names, in order. Empty when the index is on expressions only. */
  columns: string[];
  /**
   * Index elements as SQL for SQLite when they include expressions (e.g. ['lower("email")']).
   * Set by the introspector only when it could translate the expression; otherwise `untranslatable` says why.
   */
  expressions?: string[];
  /** Per element (column or expression, in order): true when it is sorted descending. */
  desc?: boolean[];
  /** Partial index predicate translated to SQLite SQL, when there is one and it translates. */
  where?: string;
  /** Why this index cannot carry over (method gist/gin/fulltext/spatial, untranslatable expression...). */
  untranslatable?: string;
  /** Source method: btree, hash, gist, gin, fulltext, spatial... */
  method?: string;
}

export type ForeignKeyAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface ForeignKey {
  name?: string;
  columns: string[];
  /** Referenced table's `name` in this catalog (see Table.name). */
  refTable: string;
  refColumns: string[];
  onDelete: ForeignKeyAction;
  onUpdate: ForeignKeyAction;
  deferrable?: boolean;
}

export interface CheckConstraint {
  name?: string;
  /** Source expression as printed by the source. */
  expression: string;
  /** The same check as SQLite SQL when the introspector could translate it. */
  sqlite?: string;
}

export interface Table {
  /** Source schema (Postgres schema / MySQL database / 'main'). */
  schema: string;
  /**
   * Name in the target. Unique within the catalog: tables outside the default schema are
   * named `<schema>_<table>` by the introspector.
   */
  name: string;
  /** Name in the source, for reading. */
  sourceName: string;
  columns: Column[];
  primaryKey?: KeyConstraint;
  uniques: KeyConstraint[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  /** Estimated rows from the catalog (pg reltuples, information_schema.table_rows, or a count). */
  rowEstimate: number;
  /** Estimated bytes on disk in the source (data + indexes). */
  sizeEstimate: number;
  /** Partitioned parent: rows of all partitions are read through it; partitions are not tables here. */
  partitions?: string[];
  /** Next value of the auto-increment sequence, to seed sqlite_sequence. */
  sequenceNext?: number | string;
  comment?: string;
}

/** Objects that exist in the source but are not tables: reported by plan, not carried over (views are). */
export interface SourceObject {
  kind:
    | 'view'
    | 'materialized_view'
    | 'trigger'
    | 'function'
    | 'procedure'
    | 'sequence'
    | 'extension'
    | 'exclusion_constraint'
    | 'rule'
    | 'event'
    | 'policy'
    | 'domain'
    | 'enum'
    | 'type';
  /** Qualified name as the user knows it, e.g. `film_fulltext_trigger on film`. */
  name: string;
  /** The table it belongs to (triggers, exclusion constraints), by catalog name. */
  table?: string;
  /** Source definition when useful (view SQL, enum values). */
  definition?: string;
  /** A view whose SQL is valid SQLite as is (the introspector's best judgement). */
  sqlite?: string;
}

export interface Catalog {
  engine: Engine;
  /** Database name (pg database, MySQL schema, SQLite file base name). */
  database: string;
  /** Server version string, for the report. */
  serverVersion?: string;
  /**
   * A server encoding that lets text hold bytes that are not UTF-8 (PostgreSQL SQL_ASCII): the
   * reader then checks text columns' bytes, and the plan says so.
   */
  uncheckedEncoding?: string;
  tables: Table[];
  objects: SourceObject[];
}

/** Per-column facts measured by scanning the data (for the plan's D1-limit findings). */
export interface ColumnMeasurement {
  column: string;
  /** Largest value in bytes as text/blob. */
  maxBytes: number;
  /** Count of integer values above 2^53-1 or below -(2^53-1). */
  unsafeIntegers?: number;
}

export interface TableMeasurement {
  table: string;
  /** Exact row count. */
  rows: number;
  /** Largest row in bytes (sum of value sizes). */
  maxRowBytes: number;
  columns: ColumnMeasurement[];
}
