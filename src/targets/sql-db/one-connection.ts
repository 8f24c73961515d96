// Work on the target's one writing connection, in turn: copy and sync with --jobs handle tables
// side by side, and one transaction's statements must not interleave with another's.
import type { DbLink } from './db-link.js';

export class OneConnection {
  /** The tail of the work queued on the connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly link: DbLink) {}

  /** Runs `work` once everything queued before it has settled. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Settles when everything queued so far has. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** BEGIN, the engine's load settings, `work`, COMMIT — or ROLLBACK when anything fails — in turn. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.link.query('BEGIN');
      try {
        for (const s of this.link.loadSettings) await this.link.query(s);
        const result = await work();
        await this.link.query('COMMIT');
        return result;
      } catch (e) {
        await this.link.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }
}
