// The digest worker: a thread of its own that reads the local target and hashes key ranges
// while the main thread reads and casts the source, so the two halves of a verify use two
// cores. It opens the same file read-only in one read transaction, like the main thread.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { SqliteValue } from '../../casting/values.js';
import { RangeDigester } from './range-digest.js';
import { limitReadCache } from '../../sources/sqlite/sqlite-read-cache.js';
import type { TableShape } from '../reader.js';

export interface DigestRequest {
  id: number;
  shape: TableShape;
  lo: SqliteValue[] | null;
  hi: SqliteValue[] | null;
  /** 'text': the row text's SHA-256 (textDigest) instead of the rows' encoding. */
  kind?: 'text';
}

export type DigestReply = { id: number; rows: number; digest: string } | { id: number; error: string };

/** Bytes cross threads as Uint8Array; better-sqlite3 binds only Buffers. */
function asValues(key: SqliteValue[] | null): SqliteValue[] | null {
  return (
    key &&
    key.map((v) => {
      const u = v as unknown;
      return u instanceof Uint8Array && !Buffer.isBuffer(u) ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : v;
    })
  );
}

const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.defaultSafeIntegers(true);
// A 2 MB page cache, as the main thread's reader: a range is read once (better-sqlite3's
// default of 16 MB was a tenth of verify's peak RSS).
limitReadCache(db);
db.exec('BEGIN');
const digester = new RangeDigester(db);

parentPort!.on('message', (r: DigestRequest) => {
  let reply: DigestReply;
  try {
    reply = { id: r.id, ...(r.kind === 'text' ? digester.textDigest(r.shape, asValues(r.lo), asValues(r.hi)) : digester.digest(r.shape, asValues(r.lo), asValues(r.hi))) };
  } catch (e) {
    reply = { id: r.id, error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
