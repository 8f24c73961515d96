// The plan's row scan: every source row goes through its columns' transforms, the target's size
// limits (the copy's own Batcher) and the table's constraints (its CREATE TABLE in a scratch
// in-memory SQLite, each batch rolled back), so the plan predicts exactly the rows copy would
// reject. The same pass counts the special values the default casts keep (special-values.ts) and
// the child rows that would point at a rejected parent. Memory stays bounded: one batch at a time,
// plus the referenced key values of rejected rows.
import type Database from 'better-sqlite3';
import { nocaseSpecial, SPECIAL_VALUES, type SpecialKind } from '../casting/special-values.js';
import type { SchemaResult } from '../schema/build-schema.js';
import { quoteIdent } from '../schema/identifiers.js';
import type { TableMapping } from '../schema/mapping.js';
import { nocase } from '../schema/sqlite-ddl.js';
import type { Source } from '../sources/source.js';
import type { RowFailure, TargetCapabilities } from '../targets/target.js';
import { makeInserter } from '../targets/sqlite-file/sqlite-inserter.js';
import { Batcher } from './copy-batcher.js';
import { jsonSafe } from './copy-json.js';
import type { RejectRecord } from './copy-rejects.js';

/** Keys of rejected rows kept per table and reason, for the finding (the counts stay exact). */
const SAMPLE_KEYS = 5;
const BATCH_ROWS = 2_000;

export interface PredictedRejects {
  /** The reason as copy writes it, with its values left out so equal causes group together. */
  reason: string;
  rows: number;
  /** A few of the rows' keys (null for keyless tables). */
  keys: (Record<string, unknown> | null)[];
}

export interface PredictedOrphans {
  /** The referenced table whose rejected rows these child rows point at. */
  refTable: string;
  columns: string[];
  rows: number;
}

export interface SpecialCount {
  column: string;
  kind: SpecialKind;
  rows: number;
}

export interface TableScan {
  table: string;
  rows: number;
  rejected: number;
  rejects: PredictedRejects[];
  orphans: PredictedOrphans[];
  specials: SpecialCount[];
}

/** The reason without the values it quotes: "d: 'NaN' is not…" and "d: 'x' is not…" group together. */
export function reasonClass(reason: string): string {
  return reason.replace(/'[^']*'/g, "'…'").replace(/(?<!UTF-)\b\d[\d,.]*\b/g, 'N');
}

/** A referenced-column tuple (values in reject-file form, copy-json's jsonSafe) as a comparable string. */
function tupleKey(values: readonly unknown[]): string | undefined {
  if (values.some((v) => v === null || v === undefined)) return undefined; // NULL references nothing
  // String(): a parent's bigint text and a child's int column number are the same reference.
  return JSON.stringify(values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))));
}

export class PlanScanner {
  /** For each table, the referenced column sets of its rejected rows: `${table}|${cols}` -> tuple keys. */
  private readonly rejectedTuples = new Map<string, Set<string>>();
  /** Tables whose CREATE TABLE the scratch database took. */
  private readonly created = new Set<string>();
  /** Column sets other tables reference, per referenced table. */
  private readonly referenced = new Map<string, string[][]>();

  private constructor(
    private readonly db: Database.Database,
    private readonly capabilities: TargetCapabilities,
  ) {}

  /** A scanner with the schema's tables (no indexes: copy builds those after the load) in a scratch database. */
  static async open(schema: SchemaResult, capabilities: TargetCapabilities): Promise<PlanScanner> {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(':memory:');
    db.pragma('foreign_keys = OFF');
    const scanner = new PlanScanner(db, capabilities);
    for (const s of schema.statements) {
      if (!/^CREATE TABLE /i.test(s)) continue;
      // A table SQLite refuses (a name-collision blocker) is scanned without its constraints.
      try {
        db.exec(s);
      } catch {
        continue;
      }
      const created = schema.tables.find((t) => s.startsWith(`CREATE TABLE ${quoteIdent(t.name)} (`));
      if (created) scanner.created.add(created.name);
    }
    for (const m of schema.tables) {
      for (const fk of m.table.foreignKeys) {
        const list = scanner.referenced.get(fk.refTable) ?? [];
        if (!list.some((cols) => cols.join() === fk.refColumns.join())) list.push(fk.refColumns);
        scanner.referenced.set(fk.refTable, list);
      }
    }
    return scanner;
  }

  close(): void {
    this.db.close();
  }

  /** Scans one table; tables should come referenced-first (the schema's order) for the orphan counts. */
  async scan(source: Source, m: TableMapping): Promise<TableScan> {
    const batcher = new Batcher(m, this.capabilities);
    const inserter = this.created.has(m.name) ? makeInserter(this.db, m, this.capabilities.maxBoundParameters) : undefined;
    const names = m.columns.map((c) => c.name);
    const specialFns = m.columns.map((c) => [c.cast.transform.special, nocase(c) ? nocaseSpecial : undefined].filter((f) => f !== undefined));
    const specials = new Map<string, SpecialCount>();
    const rejects = new Map<string, PredictedRejects>();
    const refSets = (this.referenced.get(m.name) ?? []).map((cols) => ({ cols }));
    const parents = m.table.foreignKeys.flatMap((fk) => {
      const set = this.rejectedTuples.get(`${fk.refTable}|${fk.refColumns.join()}`);
      return set ? [{ fk, set, idx: fk.columns.map((c) => names.indexOf(c)), rows: 0 }] : [];
    });
    let rows = 0;
    let rejected = 0;
    const reject = (r: RejectRecord) => {
      rejected++;
      const reason = reasonClass(r.reason);
      const entry = rejects.get(reason) ?? { reason, rows: 0, keys: [] };
      entry.rows++;
      if (entry.keys.length < SAMPLE_KEYS) entry.keys.push(r.key);
      rejects.set(reason, entry);
      for (const ref of refSets) {
        const key = tupleKey(ref.cols.map((c) => r.values[c]));
        if (key === undefined) continue;
        const id = `${m.name}|${ref.cols.join()}`;
        const set = this.rejectedTuples.get(id) ?? new Set<string>();
        set.add(key);
        this.rejectedTuples.set(id, set);
      }
    };
    const insert = this.db.transaction((batch: ReturnType<Batcher['cast']>) => {
      const failures: RowFailure[] = [];
      inserter?.insert(batch.rows, failures);
      throw new Rollback(failures);
    });
    for await (const batch of source.readRows(m.table, { orderBy: m.key, batchSize: BATCH_ROWS })) {
      rows += batch.length;
      const cast = batcher.cast(batch);
      cast.rejects.forEach(reject);
      for (const out of cast.rows) {
        for (let c = 0; c < out.length; c++) {
          for (const fn of specialFns[c]) {
            const kind = fn(out[c]);
            if (!kind) continue;
            const id = `${names[c]}|${kind}`;
            const s = specials.get(id) ?? { column: names[c], kind, rows: 0 };
            s.rows++;
            specials.set(id, s);
          }
        }
      }
      const refused = new Set<number>();
      try {
        insert(cast);
      } catch (e) {
        if (!(e instanceof Rollback)) throw e;
        for (const f of e.failures) {
          refused.add(f.index);
          reject(batcher.reject(cast.sources[f.index], f.reason));
        }
      }
      // Child rows whose parent is rejected: what `PRAGMA foreign_key_check` would report after copy.
      for (const p of parents) {
        for (let r = 0; r < cast.sources.length; r++) {
          if (refused.has(r)) continue;
          const key = tupleKey(p.idx.map((i) => jsonSafe(cast.sources[r][i])));
          if (key !== undefined && p.set.has(key)) p.rows++;
        }
      }
    }
    return {
      table: m.name,
      rows,
      rejected,
      rejects: [...rejects.values()],
      orphans: parents.filter((p) => p.rows > 0).map((p) => ({ refTable: p.fk.refTable, columns: p.fk.columns, rows: p.rows })),
      specials: [...specials.values()],
    };
  }
}

/** Ends the scratch transaction: every batch is rolled back once its refusals are known. */
class Rollback extends Error {
  constructor(readonly failures: RowFailure[]) {
    super('rollback');
  }
}

export function describeSpecial(s: SpecialCount): { code: string; message: string; fix: string } {
  const d = SPECIAL_VALUES[s.kind];
  return { code: d.code, message: `${s.rows.toLocaleString('en-US')} row(s) hold ${d.what}: ${d.representation}`, fix: `nothing to do, or ${d.alternative}` };
}
