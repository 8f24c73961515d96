// Source rows as the target must hold them: every value through its column's cast, exactly as
// copy applies it. Rows copy rejected (a cast refused a value, or the row is in the copy's
// reject file) are legitimately absent and are counted, not compared.
import { TransformError, type SourceValue, type SqliteValue } from '../casting/values.js';
import type { ValueFn } from '../casting/transforms.js';
import type { TableMapping } from '../schema/mapping.js';
import { rejectLookup, type TableRejects } from './reject-index.js';

export class SourceCaster {
  readonly keyIdx: number[] | undefined;
  rejected = 0;
  private readonly fns: ValueFn[];
  private readonly allIdx: number[];
  private readonly keys?: Set<string>;
  /** Keyless tables: the reject file's rows still to be matched (a multiset, consumed as matched). */
  private readonly rows?: Map<string, number>;

  constructor(m: TableMapping, rejects?: TableRejects) {
    this.fns = m.columns.map((c) => c.cast.value);
    this.keyIdx = m.key?.map((k) => m.columns.findIndex((c) => c.name === k));
    this.allIdx = m.columns.map((_, i) => i);
    if (this.keyIdx && rejects?.keys.size) this.keys = rejects.keys;
    if (!this.keyIdx && rejects?.rows.size) this.rows = new Map(rejects.rows);
  }

  /** The row as the target must hold it, or null when copy rejected it. */
  cast(src: readonly SourceValue[]): SqliteValue[] | null {
    if (this.keys && this.keys.has(rejectLookup(src, this.keyIdx!))) return this.reject();
    if (this.rows) {
      const text = rejectLookup(src, this.allIdx);
      const left = this.rows.get(text);
      if (left) {
        this.rows.set(text, left - 1);
        return this.reject();
      }
    }
    const fns = this.fns;
    const out: SqliteValue[] = new Array(fns.length);
    try {
      for (let i = 0; i < fns.length; i++) out[i] = fns[i](src[i]);
    } catch (e) {
      // The same cast refused the value during copy: the row went to the reject file.
      if (e instanceof TransformError) return this.reject();
      throw e;
    }
    return out;
  }

  private reject(): null {
    this.rejected++;
    return null;
  }
}
