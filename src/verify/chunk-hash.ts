// The row encoding chunk hashes are computed over. Both sides of a verify encode a row to the
// same bytes when, and only when, SQLite holds the same values — the equality canonical()
// defines (an integral number is an INTEGER whatever its JS type) — so a chunk's SHA-1 is
// equal on both sides exactly when its rows are. Rows are written into one reusable buffer per
// chunk, in binary, without building a string: at a million rows, string garbage costs more
// than reading the rows. Each value is a tag and a fixed-size or length-prefixed body, and a
// row's column count is fixed, so rows concatenate unambiguously.
import crypto, { createHash } from 'node:crypto';
import { canonical, type SqliteValue } from '../casting/values.js';

const NULL = 0x4e; // N
const SAFE_INT = 0x69; // i: an integer within 2^53, as a double
const INT64 = 0x49; // I: any other integer, as a signed 64-bit integer
const REAL = 0x52; // R: any other number, as a double
const TEXT = 0x54; // T: uint32 byte count, UTF-8
const BLOB = 0x42; // B: uint32 byte count, bytes
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

/** Encoded rows of one chunk: `buf[offsets[i]..offsets[i+1])` is row i. */
export class EncodedRows {
  buf = Buffer.allocUnsafe(1 << 16);
  length = 0;
  offsets: number[] = [0];

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

  private fixed(tag: number, v: number): void {
    this.room(9);
    this.buf[this.length] = tag;
    this.length = this.buf.writeDoubleLE(v, this.length + 1);
  }

  private int64(v: bigint): void {
    this.room(9);
    this.buf[this.length] = INT64;
    this.length = this.buf.writeBigInt64LE(v, this.length + 1);
  }

  /** The tag and the byte count of a body just written after a 5-byte gap. */
  private sized(tag: number, n: number): void {
    this.buf[this.length] = tag;
    this.buf.writeUInt32LE(n, this.length + 1);
    this.length += 5 + n;
  }

  /** Short ASCII text is copied by a loop: cheaper than a call into the native encoder. */
  private shortText(v: string, at: number): number {
    const buf = this.buf;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) return buf.write(v, at, 'utf8');
      buf[at + i] = c;
    }
    return v.length;
  }

  add(values: readonly SqliteValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.room(1);
        this.buf[this.length++] = NULL;
      } else if (typeof v === 'number') {
        if (!Number.isInteger(v)) this.fixed(REAL, v);
        else if (Math.abs(v) <= Number.MAX_SAFE_INTEGER) this.fixed(SAFE_INT, v === 0 ? 0 : v); // -0 is the integer 0
        else if (v >= INT64_MIN && v < INT64_END) this.int64(BigInt(v));
        else this.fixed(REAL, v); // integral but past 64 bits: no INTEGER can equal it
      } else if (typeof v === 'bigint') {
        if (v >= -MAX_SAFE && v <= MAX_SAFE) this.fixed(SAFE_INT, Number(v));
        else this.int64(v);
      } else if (typeof v === 'string') {
        this.room(v.length * 3 + 5);
        this.sized(TEXT, v.length <= 64 ? this.shortText(v, this.length + 5) : this.buf.write(v, this.length + 5, 'utf8'));
      } else {
        this.room(v.length + 5);
        this.sized(BLOB, v.copy(this.buf, this.length + 5));
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
  return row.length <= 40 ? row : sha1Base64(row);
}

/** One-shot crypto.hash (Node 20.12+) makes no Hash object per row: millions of them are GC work. */
const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;
const sha1Base64 = oneShot ? (data: string | Buffer) => oneShot('sha1', data, 'base64') : (data: string | Buffer) => createHash('sha1').update(data).digest('base64');

/** A row's identity in a multiset comparison: SHA-1 (base64) of its encoding, made in one reused buffer. */
export class RowIds {
  private readonly rows = new EncodedRows();

  of(values: readonly SqliteValue[]): string {
    const rows = this.rows;
    rows.clear();
    rows.add(values);
    return sha1Base64(rows.buf.subarray(0, rows.length));
  }
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
