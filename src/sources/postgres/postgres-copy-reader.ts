// Reading a whole table with `COPY (SELECT …) TO STDOUT` (text format) instead of a cursor: the
// server sends one CopyData message per row and this module splits its text itself, where a
// cursor's DataRow goes through pg's per-field parsing (a Buffer slice, a UTF-8 decode and a
// parser call for every value): measured on the 9-column bench table, that parsing was the main
// thread's largest cost after handing batches to the writer.
//
// The values are exactly the cursor reader's: COPY's text for a field is the type's output
// function under the same session settings (DateStyle, extra_float_digits, bytea_output…), with
// backslash escapes this module undoes, and every field goes through the same per-type parser
// (PG_TYPES) the cursor uses, chosen from the column types the server reports for the same
// SELECT. COPY takes no parameters, so a read that resumes after a key uses the cursor reader.
//
// Flow control: rows arrive as socket data; past HIGH_WATER queued bytes the socket is paused
// until the consumer takes them. A paused socket is not a stalled one (stall-watch.ts skips it);
// while the consumer waits with the socket flowing, the stall watch runs as for any query.
import type { PoolClient } from 'pg';
import type { SourceValue } from '../../casting/values.js';
import type { Table } from '../../catalog/types.js';
import type { ReadOptions } from '../source.js';
import type { Socket } from 'node:net';
import { textParser } from './postgres-connection.js';
import { buildSelect } from './postgres-reader.js';

/**
 * Complete lines queued past which the socket is paused. The queue is raw bytes (outside V8's
 * heap, two buffers reused for the whole read); rows are decoded from it only as batches are
 * asked for (see copyRows), so its size does not set how many rows are alive at once.
 */
const HIGH_WATER = 512 * 1024;

/**
 * At most this many bytes are decoded into one string. Far below V8's large-object size
 * (128 KB): a larger string goes to the large-object space, which only a full mark-compact
 * frees, and every field sliced from it keeps all of it alive — one string per megabyte of
 * COPY text took tens of MB of peak RSS (measured on the bench table; see the README).
 */
const SEGMENT = 16 * 1024;

/** A column's parser; undefined keeps the server's text (the cursor's identity parser). */
type Parser = ((text: string) => unknown) | undefined;

interface Connection {
  stream: Socket;
  query(text: string): void;
}

/**
 * A query object pg's client drives like its own (the "submittable" interface pg-cursor uses):
 * it sends the COPY, collects CopyData payloads and learns the end or the error.
 */
class CopyOut {
  /** Read by the stall watch (postgres-connection.ts): 'busy' while the server owes us data. */
  state: 'initialized' | 'busy' | 'done' | 'error' = 'initialized';
  error?: Error;
  // pg's parser hands out views of a buffer it reuses: each payload is copied here on arrival.
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private spare = Buffer.allocUnsafe(64 * 1024);
  private queued = 0;
  /** Bytes of `bytes` up to the end of the last payload that ended a line. */
  private lines = 0;
  private paused = false;
  private connection?: Connection;
  private wake?: () => void;

  constructor(private readonly text: string) {}

  submit(connection: Connection): void {
    this.connection = connection;
    this.state = 'busy';
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    const chunk = msg.chunk;
    const at = this.queued;
    if (at + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, at + chunk.length));
      this.bytes.copy(grown, 0, 0, at);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, at);
    this.queued = at + chunk.length;
    // The server sends a row per message, so a payload that ends in a newline ends a line; one
    // that does not (a row split across messages) leaves its bytes for a later payload to end.
    if (chunk.length === 0 || chunk[chunk.length - 1] !== 10) return;
    this.lines = this.queued;
    // Paused on complete lines only: a line longer than HIGH_WATER is read whole first.
    if (this.lines > HIGH_WATER && !this.paused) {
      this.paused = true;
      this.connection?.stream.pause();
    }
    this.notify();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}

  handleCopyInResponse(): void {
    this.handleError(new Error('the server asked for COPY FROM data during a COPY TO'));
  }

  handleReadyForQuery(): void {
    if (this.state === 'busy') this.state = 'done';
    this.flow();
    this.notify();
  }

  handleError(err: Error): void {
    this.state = 'error';
    this.error ??= lostDuringCopy(err);
    this.flow();
    this.notify();
  }

  /**
   * The complete lines received since the last call (waits for some, the end or an error);
   * empty at the end. They stay valid until the next call.
   */
  async take(): Promise<Buffer> {
    while (this.lines === 0 && this.state !== 'done' && this.state !== 'error') {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.state === 'error') throw this.error;
    if (this.lines === 0 && this.queued > 0) throw new Error('COPY output ended inside a row');
    // Two buffers in turn: the caller is done with the one it took last time when it asks
    // again. Bytes of a line not yet ended move to the front of the other one.
    const out = this.bytes.subarray(0, this.lines);
    const rest = this.queued - this.lines;
    let next = this.spare;
    if (rest > next.length) next = Buffer.allocUnsafe(Math.max(next.length * 2, rest));
    if (rest > 0) this.bytes.copy(next, 0, this.lines, this.queued);
    this.spare = this.bytes;
    this.bytes = next;
    this.queued = rest;
    this.lines = 0;
    this.flow();
    return out;
  }

  /**
   * Resumes a paused socket. Needed as soon as the COPY is over too, whether or not the rest is
   * taken: the connection's next query (COMMIT, ROLLBACK) must be answered, and a paused socket
   * does not even keep the process alive while it waits.
   */
  private flow(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection?.stream.resume();
  }

  /** Ends a COPY still running: the connection is dropped (there is no way to stop a COPY TO but cancel). */
  abandon(): void {
    if (this.state === 'done' || this.state === 'error') return;
    this.state = 'error';
    this.error ??= new Error('the COPY was abandoned');
    this.connection?.stream.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * A backend ended while sending COPY data (pg_terminate_backend, a restart) closes without the
 * ErrorResponse a cursor would get between fetches (it cannot interrupt a message in flight):
 * pg reports only the socket's end. Said as the server ending the connection (SQLSTATE 08006),
 * which is what it was.
 */
function lostDuringCopy(err: Error): Error {
  if (!/^Connection terminated unexpectedly/.test(err.message ?? '')) return err;
  return Object.assign(new Error('the server closed the connection while sending COPY data (terminated, restarted or failed: see its log)'), { code: '08006' });
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Undoes COPY text escaping: \b \f \n \r \t \v, and a backslash before any other character. */
export function unescapeCopyText(field: string): string {
  let out = '';
  let from = 0;
  for (let i = field.indexOf('\\'); i >= 0; i = field.indexOf('\\', from)) {
    out += field.slice(from, i);
    const c = field[i + 1];
    if (c === undefined) throw new Error('COPY text ends in a lone backslash');
    // COPY TO never writes octal or hex escapes (PostgreSQL's documentation): bytes by number
    // would need decoding as UTF-8, so meeting one is an error, never a guess.
    if ((c >= '0' && c <= '7') || c === 'x') throw new Error(`unexpected escape \\${c} in COPY text`);
    out += ESCAPES[c] ?? c;
    from = i + 2;
  }
  return out + field.slice(from);
}

/** Splits COPY text lines (complete, each ending in \n) into rows, appending them to `rows`. */
export function decodeCopyLines(text: string, parsers: readonly Parser[], rows: SourceValue[][]): void {
  const n = parsers.length;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw new Error('COPY text line without its newline');
    const row: SourceValue[] = new Array(n);
    let start = pos;
    for (let i = 0; i < n; i++) {
      let stop = nl;
      if (i < n - 1) {
        stop = text.indexOf('\t', start);
        if (stop < 0 || stop > nl) throw new Error(`COPY row with ${i + 1} fields where ${n} were expected`);
      } else {
        const extra = text.indexOf('\t', start);
        if (extra >= 0 && extra < nl) throw new Error(`COPY row with more than ${n} fields`);
      }
      const field = text.slice(start, stop);
      if (field === '\\N') row[i] = null;
      else {
        const value = field.indexOf('\\') >= 0 ? unescapeCopyText(field) : field;
        const parse = parsers[i];
        row[i] = (parse === undefined ? value : parse(value)) as SourceValue;
      }
      start = stop + 1;
    }
    rows.push(row);
    pos = nl + 1;
  }
}

/** Yields batches of rows (arrays in table.columns order) of a whole table, in key order. */
export async function* copyRows(client: PoolClient, table: Table, options: ReadOptions): AsyncGenerator<SourceValue[][]> {
  if (options.after && options.after.length > 0) throw new Error('copyRows reads whole tables; resume reads use the cursor reader');
  const { text } = buildSelect(table, { orderBy: options.orderBy });
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  // The column types the cursor would see (domains arrive as their base type, as there).
  const described = await client.query({ text: `${text} LIMIT 0`, rowMode: 'array' });
  const parsers = described.fields.map((f) => textParser(f.dataTypeID));
  if (parsers.length !== table.columns.length) throw new Error(`${table.name}: the SELECT returned ${parsers.length} columns, not ${table.columns.length}`);
  const copy = new CopyOut(`COPY (${text}) TO STDOUT`);
  client.query(copy as unknown as Parameters<PoolClient['query']>[0]);
  let batch: SourceValue[][] = [];
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const lines = await copy.take();
      if (lines.length === 0) break; // done
      // Decoded a segment at a time, and only as far as the batch being filled: rows are made
      // just before they are handed on, so few of them live through a scavenge into the old
      // generation (decoding all that was queued at once kept several batches' rows alive).
      for (let from = 0; from < lines.length; ) {
        let to = lines.length;
        if (to - from > SEGMENT) {
          // A newline byte never occurs inside a UTF-8 sequence: lines decode whole.
          to = lines.lastIndexOf(10, from + SEGMENT - 1) + 1;
          if (to <= from) to = lines.indexOf(10, from + SEGMENT) + 1; // one line longer than a segment
        }
        decodeCopyLines(lines.toString('utf8', from, to), parsers, batch);
        from = to;
        while (batch.length >= batchSize) {
          const full = batch.length === batchSize ? batch : batch.slice(0, batchSize);
          batch = batch.length === batchSize ? [] : batch.slice(batchSize);
          yield full;
          options.signal?.throwIfAborted();
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    copy.abandon();
  }
}
