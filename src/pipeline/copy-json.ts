// JSON forms of source values. Keys go into journals and manifests and must come back exactly
// (bigints, bytes) to resume a read; reject files only need to be readable by people and tools.
import { NotUtf8Text, type SourceValue } from '../casting/values.js';

// $textHex: text whose bytes are not UTF-8 (a resume point must compare as TEXT, not as a BLOB).
type Tagged = { $hex: string } | { $textHex: string } | { $bigint: string } | { $number: string };
type KeyJson = null | string | number | boolean | Tagged;

function keyValueToJson(v: SourceValue): KeyJson {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof NotUtf8Text) return { $textHex: Buffer.from(v).toString('hex') };
  return { $hex: Buffer.from(v).toString('hex') };
}

function keyValueFromJson(j: KeyJson): SourceValue {
  if (j === null || typeof j !== 'object') return j;
  if ('$bigint' in j) return BigInt(j.$bigint);
  if ('$number' in j) return Number(j.$number);
  if ('$textHex' in j) return NotUtf8Text.copyOf(Buffer.from(j.$textHex, 'hex'));
  return Buffer.from(j.$hex, 'hex');
}

/** A key tuple as JSON text that decodeKey turns back into the same values. */
export function encodeKey(values: readonly SourceValue[]): string {
  return JSON.stringify(values.map(keyValueToJson));
}

export function decodeKey(text: string): SourceValue[] {
  return (JSON.parse(text) as KeyJson[]).map(keyValueFromJson);
}

/** The key text as a JSON value, for embedding in a manifest. */
export function keyJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** One value for a reject file: bytes as {"$hex": …}, bigints and non-finite numbers as strings. */
export function jsonSafe(v: SourceValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return { $hex: Buffer.from(v).toString('hex') };
}
