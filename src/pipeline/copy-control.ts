// When a copy stops, for tables and units alike: the caller's signal (Ctrl-C) makes it
// 'interrupted', more rejects than --max-rejects make it 'max-rejects'; either aborts `stop`,
// which the pool and every table's loop watch, so each ends at its next safe point.
import type { CopyStatus } from './copy-events.js';

export class CopyControl {
  readonly stop = new AbortController();
  status: CopyStatus = 'complete';
  private readonly onAbort = () => {
    if (this.status === 'complete') this.status = 'interrupted';
    this.stop.abort();
  };

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly maxRejects: number | undefined,
    /** Rejects the journal already counts (a resumed copy). */
    private rejected: number,
  ) {
    if (signal?.aborted) this.onAbort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Counts committed rejects towards --max-rejects. */
  readonly countRejects = (n: number): void => {
    this.rejected += n;
    if (this.maxRejects !== undefined && this.rejected > this.maxRejects && this.status === 'complete') {
      this.status = 'max-rejects';
      this.stop.abort();
    }
  };

  /** Stops listening to the caller's signal (the run is over). */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
