// The writer thread: hosts the SqliteSession of a copy, so that inserting (about a third of a
// copy's work, measured) runs beside the main thread's reading and casting. Requests arrive one
// at a time (the main side serializes them); a batch with refused rows waits, transaction open,
// until the main thread has put them in the reject file and says 'commit'.
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

async function handle(m: WorkerRequest): Promise<unknown> {
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
      await session.close();
      return undefined;
  }
}

const WAIT = Symbol('wait for commit');

parentPort!.on('message', (m: WorkerRequest) => {
  handle(m).then(
    (value) => {
      if (value !== WAIT) parentPort!.postMessage({ id: m.id, ok: true, value } satisfies WorkerReply);
    },
    (e: unknown) => {
      const err = e as { message?: string; code?: unknown };
      const error: WorkerError = { message: err?.message ?? String(e), code: typeof err?.code === 'string' ? err.code : undefined, user: isUserError(e) };
      parentPort!.postMessage({ id: m.id, ok: false, error } satisfies WorkerReply);
    },
  );
});
