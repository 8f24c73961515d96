// Source rows -> rows the target can take: every value through its column's cast, every row
// held to the target's size limits. A row that fails either is a reject with its reason; the
// others go on. The hot path allocates one array per row and measures bytes only when a cheap
// upper bound says a value could be near a limit.
import { TransformError, valueBytes, type SourceValue, type SqliteValue } from '../casting/values.js';
import type { ValueFn } from '../casting/transforms.js';
import type { TableMapping } from '../schema/mapping.js';
import type { TargetCapabilities } from '../targets/target.js';
import { encodeKey } from './copy-json.js';
import { rejectRecord, type RejectRecord } from './copy-rejects.js';

export interface CastBatch {
  rows: SqliteValue[][];
  /** The source row of each entry of `rows` (for the reject file when the target refuses it). */
  sources: SourceValue[][];
  rejects: RejectRecord[];
  /** Key of the first row in `rows` and of the last row read (JSON text); null when keyless. */
  firstKey: string | null;
  lastKey: string | null;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * A row's casts as straight-line code, `out[i] = f_i(src[i])` for each column, returning an upper
 * bound of the row's bytes (UTF-8 takes at most 3 bytes per UTF-16 unit). A loop over the column
 * functions has one call site that sees every cast, which V8 then neither inlines nor calls
 * directly; one call site per column was measured twice as fast for the loop itself (a
 * micro-benchmark; the loop took 0.67 s per million rows of the bench table in the profile).
 * `at[0]` holds the column being cast, for the reject reason. Only column numbers enter the
 * generated text.
 */
type RowCast = (src: readonly SourceValue[], out: SqliteValue[], at: Int32Array) => number;

function compileRowCast(fns: readonly ValueFn[]): RowCast {
  let body = 'return function castRow(src, out, at) {\n  let bound = 0;\n  let v;\n';
  for (let i = 0; i < fns.length; i++) {
    body += `  at[0] = ${i}; v = f${i}(src[${i}]); out[${i}] = v;\n`;
    body += `  if (v !== null) bound += typeof v === 'string' ? v.length * 3 : typeof v === 'object' ? v.length : 8;\n`;
  }
  body += '  return bound;\n};';
  return new Function(...fns.map((_, i) => `f${i}`), body)(...fns) as RowCast;
}

export class Batcher {
  readonly keyIndexes: number[] | undefined;
  private readonly castRow: RowCast;
  private readonly at = new Int32Array(1);
  private readonly n: number;
  private readonly names: string[];
  private readonly notNull: number[];

  constructor(
    readonly table: TableMapping,
    private readonly caps: TargetCapabilities,
  ) {
    this.names = table.columns.map((c) => c.name);
    this.castRow = compileRowCast(table.columns.map((c) => c.cast.value));
    this.n = table.columns.length;
    this.keyIndexes = table.key?.map((k) => this.names.indexOf(k));
    // Import files fail whole on one NULL in a NOT NULL column: catch it here, per row.
    this.notNull = caps.constraintErrors === 'per-file' ? table.columns.flatMap((c, i) => (c.cast.column.nullable ? [] : [i])) : [];
  }

  keyOf(row: readonly SourceValue[]): string | null {
    return this.keyIndexes ? encodeKey(this.keyIndexes.map((i) => row[i])) : null;
  }

  reject(row: readonly SourceValue[], reason: string): RejectRecord {
    return rejectRecord(this.table.name, this.names, this.keyIndexes, row, reason);
  }

  cast(batch: readonly SourceValue[][]): CastBatch {
    const rows: SqliteValue[][] = [];
    const sources: SourceValue[][] = [];
    const rejects: RejectRecord[] = [];
    const { castRow, at, n } = this;
    const maxRow = this.caps.maxRowBytes;
    const maxValue = this.caps.maxValueBytes;
    for (const src of batch) {
      const out: SqliteValue[] = new Array(n);
      let bound: number;
      try {
        bound = castRow(src, out, at);
      } catch (e) {
        if (!(e instanceof TransformError)) throw e;
        rejects.push(this.reject(src, `${this.names[at[0]]}: ${e.message}`));
        continue;
      }
      if (bound > maxValue || bound > maxRow) {
        const problem = this.sizeProblem(out);
        if (problem) {
          rejects.push(this.reject(src, problem));
          continue;
        }
      }
      if (this.notNull.length > 0) {
        const nullIn = this.notNull.find((k) => out[k] === null);
        if (nullIn !== undefined) {
          rejects.push(this.reject(src, `${this.names[nullIn]}: NULL in a NOT NULL column`));
          continue;
        }
      }
      rows.push(out);
      sources.push(src);
    }
    const firstKey = sources.length > 0 ? this.keyOf(sources[0]) : null;
    const lastKey = batch.length > 0 ? this.keyOf(batch[batch.length - 1]) : null;
    return { rows, sources, rejects, firstKey, lastKey };
  }

  private sizeProblem(row: SqliteValue[]): string | undefined {
    let total = 0;
    for (let i = 0; i < row.length; i++) {
      const b = valueBytes(row[i]);
      if (b > this.caps.maxValueBytes) {
        return `${this.names[i]}: value of ${fmt(b)} bytes is over ${this.caps.limitsOf}'s limit of ${fmt(this.caps.maxValueBytes)} bytes per value`;
      }
      total += b;
    }
    return total > this.caps.maxRowBytes ? `row of ${fmt(total)} bytes is over ${this.caps.limitsOf}'s limit of ${fmt(this.caps.maxRowBytes)} bytes per row` : undefined;
  }
}
