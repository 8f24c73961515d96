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

/** Queued bytes past which the socket is paused (about a batch of the bench table). */
const HIGH_WATER = 1024 * 1024;

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
    if (this.queued + chunk.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.queued + chunk.length));
      this.bytes.copy(grown, 0, 0, this.queued);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, this.queued);
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER && !this.paused) {
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
   * The bytes received since the last call (waits for some, the end or an error); empty at the
   * end. They stay valid until the next call.
   */
  async take(): Promise<Buffer> {
    while (this.queued === 0 && this.state !== 'done' && this.state !== 'error') {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.state === 'error') throw this.error;
    // Two buffers in turn: the caller is done with the one it took last time when it asks again.
    const out = this.bytes.subarray(0, this.queued);
    const spare = this.spare;
    this.spare = this.bytes;
    this.bytes = spare;
    this.queued = 0;
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
  let carry: Buffer | undefined;
  let batch: SourceValue[][] = [];
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const received = await copy.take();
      if (received.length === 0) break; // done
      const buf = carry ? Buffer.concat([carry, received]) : received;
      // A newline byte never occurs inside a UTF-8 sequence: text up to the last one decodes whole.
      const end = buf.lastIndexOf(10);
      carry = end + 1 < buf.length ? Buffer.from(buf.subarray(end + 1)) : undefined;
      if (end < 0) continue;
      decodeCopyLines(buf.toString('utf8', 0, end + 1), parsers, batch);
      while (batch.length >= batchSize) {
        const full = batch.length === batchSize ? batch : batch.slice(0, batchSize);
        batch = batch.length === batchSize ? [] : batch.slice(batchSize);
        yield full;
        options.signal?.throwIfAborted();
      }
    }
    if (carry) throw new Error('COPY output ended inside a row');
    if (batch.length > 0) yield batch;
  } finally {
    copy.abandon();
  }
}
