// The writer thread: hosts the SqliteSession of a copy, so that inserting (about a third of a
// copy's work, measured) runs beside the main thread's reading and casting. Requests are handled
// in the order they arrive (the main side sends one at a time). A batch with refused rows waits,
// transaction open, until the main thread has put them in the reject file and says 'commit';
// a request arriving meanwhile is held until then.
import { parentPort } from 'node:worker_threads';
import { isUserError } from '../../errors.js';
import type { JournalEntry, SchemaSetup } from '../target.js';
import type { TableShape } from './sqlite-inserter.js';
import { openSqliteSession, type SqliteSession, type SqliteSessionOptions } from './sqlite-session.js';
import type { SqliteValue } from '../../casting/values.js';
import { endStage, stageClock, stageTotals } from '../../pipeline/copy-stages.js';

export type WorkerRequest =
  | { id: number; op: 'open'; options: SqliteSessionOptions }
  | { id: number; op: 'state'; tables: string[] }
  | { id: number; op: 'begin'; setup: { schema?: SchemaSetup; entries: JournalEntry[] } }
  | { id: number; op: 'restart'; table: TableShape }
  | { id: number; op: 'write'; table: TableShape; rows: SqliteValue[][]; after: JournalEntry }
  | { id: number; op: 'commit' }
  | { id: number; op: 'rollback' }
  | { id: number; op: 'finish'; tables: TableShape[] }
  | { id: number; op: 'count'; table: string }
  | { id: number; op: 'stages' }
  | { id: number; op: 'close' };

export interface WorkerError {
  message: string;
  code?: string;
  user: boolean;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WorkerError }
  | { id: number; failures: { index: number; reason: string }[] };

let session: SqliteSession | undefined;
let waiting: { after: JournalEntry; refused: number } | undefined;

/** The hot requests (write, commit) answer synchronously, so a reply never waits behind the next batch. */
function handle(m: WorkerRequest): unknown {
  if (m.op === 'open') {
    session = openSqliteSession(m.options);
    return undefined;
  }
  if (!session) throw new Error('the SQLite writer was not opened');
  switch (m.op) {
    case 'state':
      return session.state(m.tables);
    case 'begin':
      return session.begin(m.setup);
    case 'restart':
      return session.restart(m.table);
    case 'write': {
      const inserting = stageClock();
      const failures = session.guard(() => session!.writeRows(m.table, m.rows));
      endStage('writer-insert', inserting);
      if (failures.length === 0) {
        const committing = stageClock();
        const committed = session.guard(() => session!.commitRows(m.after, 0));
        endStage('writer-commit', committing);
        return committed;
      }
      waiting = { after: m.after, refused: failures.length };
      parentPort!.postMessage({ id: m.id, failures } satisfies WorkerReply);
      return WAIT;
    }
    case 'commit': {
      const w = waiting!;
      waiting = undefined;
      return session.guard(() => session!.commitRows(w.after, w.refused));
    }
    case 'rollback':
      waiting = undefined;
      session.rollbackRows();
      return undefined;
    case 'finish':
      return session.finish(m.tables);
    case 'count':
      return session.count(m.table);
    case 'stages':
      return stageTotals();
    case 'close':
      return session.close();
  }
}

const WAIT = Symbol('wait for commit');

/** Requests that arrived while a batch waits for 'commit' or 'rollback', or behind those. */
const held: WorkerRequest[] = [];

parentPort!.on('message', (m: WorkerRequest) => {
  if ((waiting || held.length > 0) && m.op !== 'commit' && m.op !== 'rollback') {
    held.push(m);
    return;
  }
  dispatch(m);
  if (!waiting && held.length > 0) setImmediate(drain);
});

/** One held request per turn: its reply (and the commit's) go out before the next batch is written. */
function drain(): void {
  if (waiting || held.length === 0) return;
  dispatch(held.shift()!);
  if (!waiting && held.length > 0) setImmediate(drain);
}

function reply(id: number, value: unknown): void {
  if (value !== WAIT) parentPort!.postMessage({ id, ok: true, value } satisfies WorkerReply);
}

function fail(id: number, e: unknown): void {
  const err = e as { message?: string; code?: unknown };
  const error: WorkerError = { message: err?.message ?? String(e), code: typeof err?.code === 'string' ? err.code : undefined, user: isUserError(e) };
  parentPort!.postMessage({ id, ok: false, error } satisfies WorkerReply);
}

function dispatch(m: WorkerRequest): void {
  let value: unknown;
  try {
    value = handle(m);
  } catch (e) {
    return fail(m.id, e);
  }
  if (value instanceof Promise) value.then((v) => reply(m.id, v), (e: unknown) => fail(m.id, e));
  else reply(m.id, value);
}
