// The main thread's side of the SQLite writer thread (sqlite-worker.ts): a TargetSession whose
// calls are messages, one at a time. Measured on the 9-column bench table, a copy is bound by
// the main thread (read ≈ 35 %, cast ≈ 30 %, insert ≈ 35 %); inserting in a second thread lets
// the next batch be read and cast meanwhile.
import { Worker } from 'node:worker_threads';
import { UserError } from '../../errors.js';
import { addStage, endStage, stageClock, stagesOn } from '../../pipeline/copy-stages.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { JournalEntry, SchemaSetup, TargetReport, TargetSession, TargetState, WriteBatch } from '../target.js';
import type { TableShape } from './sqlite-inserter.js';
import type { SqliteSessionOptions } from './sqlite-session.js';
import type { WorkerReply, WorkerRequest } from './sqlite-worker.js';

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onFailures?: WriteBatch['onFailures'];
}

const shape = (m: TableShape): TableShape => ({ name: m.name, columns: m.columns.map((c) => ({ name: c.name })) });

function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./sqlite-worker.js', import.meta.url);
  // From the TypeScript sources (a checkout, the tests) the thread loads its module through tsx:
  // Node 20 applies no --import hooks to a worker's entry, tsx's tsImport works there.
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const script = JSON.stringify(new URL('./sqlite-worker.ts', import.meta.url).href);
  const code = `import { tsImport } from ${api}; await tsImport(${script}, ${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export class SqliteWriterSession implements TargetSession {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private failed?: Error;

  private constructor() {
    // No inherited execArgv: the parent's flags (--input-type, --eval…) may not suit a module entry.
    // The thread holds one batch at a time: without a cap V8 grew its young generation to 32 MB
    // of semi-spaces on a long copy (measured at 5,000,000 rows); 12 MB keeps it at 8 MB.
    this.worker = new Worker(workerEntry(), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    this.worker.on('message', (m: WorkerReply) => this.receive(m));
    this.worker.on('error', (e) => this.stop(e));
    this.worker.on('exit', (code) => this.stop(new Error(`the SQLite writer thread stopped (exit code ${code})`)));
  }

  static async open(options: SqliteSessionOptions): Promise<SqliteWriterSession> {
    const s = new SqliteWriterSession();
    try {
      await s.call({ op: 'open', options });
    } catch (e) {
      await s.worker.terminate();
      throw e;
    }
    return s;
  }

  state(tables: readonly string[]): Promise<TargetState> {
    return this.call({ op: 'state', tables: [...tables] }) as Promise<TargetState>;
  }

  async begin(setup: { schema?: SchemaSetup; entries: JournalEntry[] }): Promise<void> {
    await this.call({ op: 'begin', setup: { schema: setup.schema, entries: setup.entries } });
  }

  async restart(table: TableMapping): Promise<void> {
    await this.call({ op: 'restart', table: shape(table) });
  }

  write(batch: WriteBatch): Promise<JournalEntry> {
    return this.call({ op: 'write', table: shape(batch.table), rows: batch.rows, after: batch.after }, batch.onFailures) as Promise<JournalEntry>;
  }

  async finish(tables: TableMapping[]): Promise<TargetReport> {
    if (stagesOn) {
      const theirs = (await this.call({ op: 'stages' })) as Record<string, number>;
      for (const [k, v] of Object.entries(theirs)) addStage(k, v);
    }
    return (await this.call({ op: 'finish', tables: tables.map(shape) })) as TargetReport;
  }

  count(table: string): Promise<number> {
    return this.call({ op: 'count', table }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (!this.failed) await this.call({ op: 'close' }).catch(() => undefined);
    this.failed ??= new Error('the SQLite writer is closed');
    await this.worker.terminate();
  }

  /**
   * Sends one request once the previous one is answered. (Sending the next batch while one is
   * written was tried: no faster on 2 cores, more CPU, and 65 MB more RSS at the peak.)
   */
  private call(request: Request, onFailures?: WriteBatch['onFailures']): Promise<unknown> {
    const run = () =>
      new Promise((resolve, reject) => {
        if (this.failed) return reject(this.failed);
        const id = this.next++;
        this.pending.set(id, { resolve, reject, onFailures });
        const posting = stageClock();
        this.worker.postMessage({ ...request, id });
        endStage(`post-${request.op}`, posting);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private receive(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('failures' in m) {
      // Refused rows go to the reject file before their batch commits (see copy-rejects.ts).
      try {
        p.onFailures?.(m.failures);
        this.worker.postMessage({ id: m.id, op: 'commit' } satisfies WorkerRequest);
      } catch (e) {
        this.pending.set(m.id, { resolve: () => p.reject(e), reject: () => p.reject(e) });
        this.worker.postMessage({ id: m.id, op: 'rollback' } satisfies WorkerRequest);
      }
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) return p.resolve(m.value);
    const error = m.error.user ? new UserError(m.error.message) : Object.assign(new Error(m.error.message), { code: m.error.code });
    p.reject(error);
  }

  private stop(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
