// Rows as multi-row INSERT statements, each under D1's statement size. A row whose INSERT alone
// would be too long is inserted with its long values empty, then the values are appended in
// pieces by UPDATEs that each fit (the file is applied whole, so no one sees the partial row).
import type { SqliteValue } from '../../casting/values.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { RowFailure } from '../target.js';
import { sqlBytes, sqlLiteral } from './sql-literals.js';

export class InsertStatements {
  private readonly prefix: string;
  private readonly prefixBytes: number;
  private readonly keyIndexes: number[];

  constructor(
    private readonly m: TableMapping,
    /** Longest statement, ';' included. */
    private readonly budget: number,
  ) {
    this.prefix = `INSERT INTO ${quoteAlways(m.name)} (${m.columns.map((c) => quoteAlways(c.name)).join(', ')}) VALUES\n`;
    this.prefixBytes = sqlBytes(this.prefix);
    this.keyIndexes = (m.key ?? []).map((k) => m.columns.findIndex((c) => c.name === k));
  }

  /** SQL text for the rows (statements end in ';\n') and how many statements; rows that cannot be expressed go to `failures`. */
  render(rows: readonly SqliteValue[][], failures: RowFailure[]): { text: string; statements: number } {
    const out: string[] = [];
    let tuples: string[] = [];
    let bytes = this.prefixBytes + 2; // ';\n'
    const flush = () => {
      if (tuples.length > 0) out.push(`${this.prefix}${tuples.join(',\n')};\n`);
      tuples = [];
      bytes = this.prefixBytes + 2;
    };
    for (let i = 0; i < rows.length; i++) {
      const literals = rows[i].map(sqlLiteral);
      const tuple = `(${literals.join(', ')})`;
      const size = sqlBytes(tuple);
      if (this.prefixBytes + size + 2 > this.budget) {
        flush();
        const split = this.splitRow(rows[i], literals);
        if (typeof split === 'string') failures.push({ index: i, reason: split });
        else out.push(...split);
        continue;
      }
      if (bytes + size + (tuples.length > 0 ? 2 : 0) > this.budget) flush();
      bytes += size + (tuples.length > 0 ? 2 : 0);
      tuples.push(tuple);
    }
    flush();
    return { text: out.join(''), statements: out.length };
  }

  /** INSERT with the longest values empty, then UPDATEs appending them; or why it cannot be done. */
  private splitRow(row: readonly SqliteValue[], literals: string[]): string[] | string {
    const keys = new Set(this.keyIndexes);
    const movable = row
      .map((v, i) => ({ v, i, size: literals[i].length }))
      .filter((x) => !keys.has(x.i) && (typeof x.v === 'string' || Buffer.isBuffer(x.v)))
      .sort((a, b) => b.size - a.size);
    const lits = [...literals];
    const moved: number[] = [];
    const insertBytes = () => this.prefixBytes + sqlBytes(`(${lits.join(', ')})`) + 2;
    for (const x of movable) {
      if (insertBytes() <= this.budget) break;
      lits[x.i] = typeof x.v === 'string' ? "''" : "X''";
      moved.push(x.i);
    }
    if (insertBytes() > this.budget) {
      return `the row's INSERT needs ${insertBytes()} bytes even with its long values split off, over D1's ${this.budget}-byte statement limit`;
    }
    const where =
      this.keyIndexes.length > 0
        ? this.keyIndexes.map((k) => `${quoteAlways(this.m.columns[k].name)} = ${literals[k]}`).join(' AND ')
        : 'rowid = last_insert_rowid()';
    const statements = [`${this.prefix}(${lits.join(', ')});\n`];
    for (const i of moved) statements.push(...this.appendUpdates(quoteAlways(this.m.columns[i].name), row[i] as string | Buffer, where));
    return statements;
  }

  /** UPDATEs appending `value` to `col` (already quoted) of the row `where` selects, each under the budget. */
  appendUpdates(col: string, value: string | Buffer, where: string): string[] {
    const table = quoteAlways(this.m.name);
    const blob = typeof value !== 'string';
    const head = `UPDATE ${table} SET ${col} = ${blob ? 'CAST(' : ''}${col} || `;
    const tail = `${blob ? ' AS BLOB)' : ''} WHERE ${where};\n`;
    const room = this.budget - sqlBytes(head) - sqlBytes(tail);
    const out: string[] = [];
    if (blob) {
      // Blob || blob concatenates the bytes (as text) and CAST AS BLOB takes them back as they are.
      const step = Math.max(1, Math.floor((room - 3) / 2));
      for (let at = 0; at < value.length; at += step) out.push(`${head}${sqlLiteral(value.subarray(at, at + step))}${tail}`);
      return out;
    }
    for (let at = 0; at < value.length; ) {
      let n = Math.max(1, Math.floor(room / 3) - 2);
      let piece: string;
      for (;;) {
        let end = Math.min(value.length, at + n);
        // Never cut a surrogate pair: each piece must be valid UTF-16 to encode as UTF-8.
        const last = value.charCodeAt(end - 1);
        if (end < value.length && last >= 0xd800 && last <= 0xdbff && end - at > 1) end--;
        piece = sqlLiteral(value.slice(at, end));
        if (sqlBytes(piece) <= room || end - at <= 1) {
          at = end;
          break;
        }
        n = Math.max(1, Math.floor((end - at) / 2));
      }
      out.push(`${head}${piece}${tail}`);
    }
    return out;
  }
}
