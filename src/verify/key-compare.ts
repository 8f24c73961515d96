// SQLite's order of values (https://sqlite.org/datatype3.html#sort_order), as the target's
// ORDER BY and range comparisons apply it under the BINARY collation: NULL < numbers (INTEGER
// and REAL compared by value) < TEXT (UTF-8 bytes) < BLOB (memcmp). Verify walks source and
// target rows in this order, so it must agree with SQLite exactly.
import type { SqliteValue } from '../casting/values.js';

function rank(v: SqliteValue | undefined): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 1;
    case 'string':
      return 2;
    default:
      return 3;
  }
}

/**
 * UTF-16 code units order surrogate pairs (U+10000 and up) below U+E000..U+FFFF; UTF-8 bytes
 * order them above. Lifting the surrogates past that range makes the first differing unit
 * decide as the bytes would.
 */
function utf8Unit(u: number): number {
  return u >= 0xd800 ? (u >= 0xe000 ? u - 0x800 : u + 0x2000) : u;
}

/** Byte order of the strings' UTF-8 encodings, without encoding them. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Unit(x) < utf8Unit(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compareValues(a: SqliteValue | undefined, b: SqliteValue | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      // JS compares a bigint with a number by exact mathematical value: no precision lost.
      return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
    case 2:
      return compareText(a as string, b as string);
    default:
      return Buffer.compare(a as Buffer, b as Buffer);
  }
}

/** Tuples compared column by column, as SQLite compares row values. */
export function compareKeys(a: readonly SqliteValue[], b: readonly SqliteValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
