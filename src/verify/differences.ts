// The differences found in one table: exact counts, and the first records for the failures
// file (kept per table until the table is done, so a table compared again after a change of
// method reports nothing twice).
import { canonical, type SourceValue, type SqliteValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';
import { namedValues, safeValue, type ColumnDifference, type FailureRecord } from './failures-file.js';

export class TableDifferences {
  missing = 0;
  extra = 0;
  changed = 0;
  readonly records: FailureRecord[] = [];
  private readonly names: string[];
  private readonly keyIdx: number[];

  constructor(
    private readonly m: TableMapping,
    private readonly cap: number,
  ) {
    this.names = m.columns.map((c) => c.name);
    this.keyIdx = (m.key ?? []).map((k) => this.names.indexOf(k));
  }

  get total(): number {
    return this.missing + this.extra + this.changed;
  }

  private keyOf(row: readonly SqliteValue[]): Record<string, unknown> {
    const key: Record<string, unknown> = {};
    for (const i of this.keyIdx) key[this.names[i]] = safeValue(row[i]);
    return key;
  }

  private push(record: FailureRecord): void {
    if (this.records.length < this.cap) this.records.push(record);
  }

  /** A source row (as cast) whose key the target lacks. */
  missingRow(row: readonly SqliteValue[]): void {
    this.missing++;
    if (this.records.length < this.cap) this.push({ table: this.m.name, kind: 'missing', key: this.keyOf(row) });
  }

  /** A target row whose key the source lacks. */
  extraRow(row: readonly SqliteValue[]): void {
    this.extra++;
    if (this.records.length < this.cap) this.push({ table: this.m.name, kind: 'extra', key: this.keyOf(row) });
  }

  /** Same key, other values: the columns that differ, with both values. */
  changedRow(expected: readonly SqliteValue[], actual: readonly SqliteValue[], raw?: readonly SourceValue[]): void {
    this.changed++;
    if (this.records.length >= this.cap) return;
    const columns: ColumnDifference[] = [];
    for (let i = 0; i < expected.length; i++) {
      if (canonical(expected[i]) === canonical(actual[i])) continue;
      const d: ColumnDifference = { column: this.names[i], source: safeValue(expected[i]), target: safeValue(actual[i]) };
      if (raw && JSON.stringify(safeValue(raw[i])) !== JSON.stringify(d.source)) d.sourceValue = safeValue(raw[i]);
      columns.push(d);
    }
    this.push({ table: this.m.name, kind: 'changed', key: this.keyOf(expected), columns });
  }

  /** Tables without a key: `count` copies of a row held by one side more than the other. */
  multisetRows(kind: 'missing' | 'extra', count: number): void {
    if (kind === 'missing') this.missing += count;
    else this.extra += count;
  }

  /** An example of such a row, with its values (found by a second pass). */
  multisetExample(kind: 'missing' | 'extra', values: readonly (SqliteValue | SourceValue)[], count: number): void {
    this.push({ table: this.m.name, kind, key: null, values: namedValues(this.names, values), count });
  }

  get full(): boolean {
    return this.records.length >= this.cap;
  }
}
