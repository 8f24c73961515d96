// What a move is made of, whatever the backend: a collection (a table, a Redis keyspace, a
// bucket, an application) holds units (a row, a key with its value and TTL, an object), each
// with a key. Tables keep their own fast path (rows as arrays, sources/source.ts); every other
// kind of collection moves as units through these types (pipeline/copy-units.ts).

export type CollectionKind = 'table' | 'keyspace' | 'bucket' | 'app';

export interface Collection {
  readonly kind: CollectionKind;
  /** Name in the target and in messages, reject files and the journal; unique within a source. */
  readonly name: string;
  /**
   * True when the source reads units in a stable key order (a table by its primary key, an
   * object listing): resume continues after the last committed key and verify can merge.
   * False (Redis SCAN): resume skips the keys the journal says are committed, verify compares by key.
   */
  readonly ordered: boolean;
  /** Units the source estimates (for progress and the largest-first pool); 0 when unknown. */
  readonly unitEstimate?: number;
  /** Bytes the source estimates; 0 when unknown. */
  readonly sizeEstimate?: number;
}

/** One part of a key: a Redis key is one string or byte string, a row's key its column values. */
export type KeyPart = string | number | bigint | Uint8Array;
export type Key = readonly KeyPart[];

/** A row, a KV entry, an object: its key, its value and its size in bytes (for batching and limits). */
export interface Unit<V> {
  key: Key;
  value: V;
  bytes: number;
}

type KeyJson = string | number | { $hex: string } | { $bigint: string } | { $number: string };

/** A key as JSON text that decodeUnitKey turns back into equal parts (journals, reject files). */
export function encodeUnitKey(key: Key): string {
  return JSON.stringify(
    key.map((p): KeyJson => {
      if (typeof p === 'string') return p;
      if (typeof p === 'bigint') return { $bigint: p.toString() };
      if (typeof p === 'number') return Number.isFinite(p) ? p : { $number: String(p) };
      return { $hex: Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('hex') };
    }),
  );
}

export function decodeUnitKey(text: string): KeyPart[] {
  return (JSON.parse(text) as KeyJson[]).map((j) => {
    if (typeof j !== 'object') return j;
    if ('$bigint' in j) return BigInt(j.$bigint);
    if ('$number' in j) return Number(j.$number);
    return Buffer.from(j.$hex, 'hex');
  });
}
