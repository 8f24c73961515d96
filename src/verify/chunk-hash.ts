// Canonical rows and chunk hashes. Both sides of a verify encode a row to the same bytes when,
// and only when, SQLite holds the same values — the equality canonical() defines (integral
// numbers and bigints alike are INTEGER) — so a chunk's SHA-1 is equal on both sides exactly
// when its rows are. The hot path writes rows into one reusable buffer per chunk instead of
// building strings: at a million rows, string garbage costs more than reading them.
import { createHash } from 'node:crypto';
import { canonical, type SqliteValue } from '../casting/values.js';

const TAG_NULL = 0x4e; // N
const TAG_SAFE_INT = 0x69; // i: an integer within 2^53, as a double
const TAG_INT = 0x49; // I: a larger integer, as decimal digits
const TAG_REAL = 0x52; // R: a non-integral double
const TAG_TEXT = 0x54; // T: UTF-8 bytes
const TAG_BLOB = 0x42; // B: bytes

/** Encoded rows of one chunk: `buf[offsets[i]..offsets[i+1])` is row i. */
export class EncodedRows {
  buf = Buffer.allocUnsafe(1 << 16);
  length = 0;
  offsets: number[] = [0];

  get rows(): number {
    return this.offsets.length - 1;
  }

  clear(): void {
    this.length = 0;
    this.offsets = [0];
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  /** tag, uint32 byte length, bytes (written in place, the length filled in after). */
  private text(v: string): void {
    this.room(v.length * 3 + 5);
    const at = this.length + 5;
    const n = this.buf.write(v, at, 'utf8');
    this.head(TAG_TEXT, n);
  }

  private blob(v: Buffer): void {
    this.room(v.length + 5);
    const n = v.copy(this.buf, this.length + 5);
    this.head(TAG_BLOB, n);
  }

  private integer(digits: string): void {
    this.room(digits.length + 5);
    const n = this.buf.write(digits, this.length + 5, 'latin1');
    this.head(TAG_INT, n);
  }

  private head(tag: number, n: number): void {
    this.buf[this.length] = tag;
    this.buf.writeUInt32LE(n, this.length + 1);
    this.length += 5 + n;
  }

  private double(tag: number, v: number): void {
    this.room(9);
    this.buf[this.length] = tag;
    this.buf.writeDoubleLE(v === 0 ? 0 : v, this.length + 1); // -0 is the integer 0
    this.length += 9;
  }

  add(values: readonly SqliteValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.room(1);
        this.buf[this.length++] = TAG_NULL;
      } else if (typeof v === 'number') {
        if (!Number.isInteger(v)) this.double(TAG_REAL, v);
        else if (Number.isSafeInteger(v)) this.double(TAG_SAFE_INT, v);
        else this.integer(BigInt(v).toString());
      } else if (typeof v === 'bigint') {
        if (v >= -MAX_SAFE && v <= MAX_SAFE) this.double(TAG_SAFE_INT, Number(v));
        else this.integer(v.toString());
      } else if (typeof v === 'string') {
        this.text(v);
      } else {
        this.blob(v);
      }
    }
    this.offsets.push(this.length);
  }

  /** SHA-1 of every row. */
  digest(): string {
    return createHash('sha1').update(this.buf.subarray(0, this.length)).digest('hex');
  }

  /** Row i of this equals row j of `other`. */
  same(i: number, other: EncodedRows, j: number): boolean {
    const a = this.offsets;
    const b = other.offsets;
    return this.buf.compare(other.buf, b[j], b[j + 1], a[i], a[i + 1]) === 0;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical text of a row: `<length>:<canonical value>` per column, in column order. */
export function canonicalRow(values: readonly SqliteValue[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const c = canonical(values[i]);
    s += c.length + ':' + c;
  }
  return s;
}

/** The canonical text of a key tuple, usable as a Map key (keyed comparisons). */
export const canonicalKey = canonicalRow;

/**
 * A row's identity for the keyed and multiset comparisons: short canonical rows as they are,
 * longer ones by SHA-1. The two forms cannot collide: canonical text always holds a ':',
 * base64 never does.
 */
export function rowId(row: string): string {
  return row.length <= 40 ? row : createHash('sha1').update(row).digest('base64');
}

/** The values a canonicalRow() text was made of (integers as BigInt, as the target reads them). */
export function parseCanonicalRow(text: string): SqliteValue[] {
  const out: SqliteValue[] = [];
  for (let at = 0; at < text.length; ) {
    const colon = text.indexOf(':', at);
    const length = Number(text.slice(at, colon));
    const c = text.slice(colon + 1, colon + 1 + length);
    at = colon + 1 + length;
    const body = c.slice(1);
    switch (c[0]) {
      case 'N':
        out.push(null);
        break;
      case 'I':
        out.push(BigInt(body));
        break;
      case 'R':
        out.push(Number(body));
        break;
      case 'T':
        out.push(body);
        break;
      default:
        out.push(Buffer.from(body, 'hex'));
    }
  }
  return out;
}
