// Starting the digest thread (digest-thread.ts) and talking to it. From a checkout the worker
// runs the TypeScript source through tsx's loader, as the CLI does; an installed package runs
// the compiled file. Requests are answered in order; the worker ends with the reader.
import { Worker } from 'node:worker_threads';
import type { SqliteValue } from '../../casting/values.js';
import type { RangeDigest } from './range-digest.js';
import type { TableShape } from '../reader.js';
import type { DigestReply, DigestRequest } from './digest-thread.js';

/** How long close() waits for the worker to stop before going on without it. */
const CLOSE_BOUND_MS = 5_000;

export class DigestWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(d: RangeDigest): void; reject(e: Error): void }>();
  private nextId = 1;
  private failed: Error | undefined;
  private exited = false;

  constructor(file: string) {
    const here = import.meta.url;
    if (here.endsWith('.ts')) {
      const api = import.meta.resolve('tsx/esm/api');
      const entry = new URL('./digest-thread.ts', here).href;
      const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
      this.worker = new Worker(boot, { eval: true, workerData: { file } });
    } else {
      this.worker = new Worker(new URL('./digest-thread.js', here), { workerData: { file } });
    }
    this.worker.on('message', (m: DigestReply) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      if ('error' in m) w?.reject(new Error(`reading the target: ${m.error}`));
      else w?.resolve({ rows: m.rows, digest: m.digest });
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`the digest worker stopped (exit code ${code})`));
    });
    // An idle worker does not keep the process alive; one with requests pending does.
    this.worker.unref();
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  digest(shape: TableShape, lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null, kind?: 'text'): Promise<RangeDigest> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const request: DigestRequest = { id, shape, lo: lo && [...lo], hi: hi && [...hi], ...(kind ? { kind } : {}) };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('the digest worker was closed');
    if (this.exited) return; // terminate() of an exited worker never settles
    // An unref'd worker lets the process run out of work before terminate() settles, leaving
    // the caller's await unsettled (exit code 13): keep it referenced until it has exited.
    this.worker.ref();
    // Nor, now and then, does terminate() of a worker that is exiting as it is called (seen when
    // the source's connection dropped with digests in flight): the exit event, or at worst a
    // bound, ends the wait instead of leaving it unsettled.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.worker.terminate().then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => this.worker.once('exit', () => resolve())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_BOUND_MS))),
    ]);
    clearTimeout(timer);
  }
}
