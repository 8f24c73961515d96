// What a Redis key holds once read: its type, its time to live and its value as bytes (Redis is
// binary-safe everywhere: keys, strings, fields and members are Buffers here, never decoded).

/** The types flarelift reads. A HyperLogLog is a string whose bytes start with "HYLL". */
export type RedisType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | 'hyperloglog';
export const REDIS_TYPES: readonly RedisType[] = ['string', 'hash', 'list', 'set', 'zset', 'stream', 'hyperloglog'];

export type RedisValue =
  | { type: 'string' | 'hyperloglog'; value: Buffer }
  | { type: 'hash'; value: [field: Buffer, value: Buffer][] }
  | { type: 'list' | 'set'; value: Buffer[] }
  /** Scores as Redis prints them ("1.5", "inf", "-inf"): exact, no float round trip. */
  | { type: 'zset'; value: [member: Buffer, score: string][] }
  | { type: 'stream'; value: [id: string, fields: Buffer[]][] };

export interface RedisEntry {
  key: Buffer;
  /** 'gone' when the key expired or was deleted between SCAN and the read. */
  type: RedisType | 'gone' | 'unknown';
  /** The server's type name for 'unknown' (a module type such as ReJSON-RL). */
  typeName?: string;
  /** Milliseconds to live; -1 without expiry. */
  pttl: number;
  /** Absent when the value was not read: too large (`bytes` says at least how large) or skipped by type. */
  value?: RedisValue;
  /** The bytes of the value's parts (strings, fields, members) as read, or at least this many when not read. */
  bytes: number;
  /** Too large to read inside the batch: read it alone (readLargeValue) before deciding. */
  deferred?: boolean;
  /** When the value was read (ms since the epoch): PTTL is relative to it. */
  readAt: number;
}

export const HLL_MAGIC = Buffer.from('HYLL');
