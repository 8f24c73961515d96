// Child processes in tests: whether one still runs, and a CLI run killed part-way.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

// Whether a process is still running (signal 0 tests for it without touching it).
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Sends `signal` to a CLI run with --json once `table` has reported `after` progress events;
 * resolves when it has closed, with the signal that ended it and the events seen.
 */
export function killAtProgress(
  child: ChildProcessWithoutNullStreams,
  table: string,
  after: number,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<{ signal: NodeJS.Signals | null; progress: number }> {
  let buffer = '';
  let progress = 0;
  child.stderr.resume();
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const e = JSON.parse(buffer.slice(0, nl)) as { event?: string; table?: string };
      buffer = buffer.slice(nl + 1);
      if (e.event === 'progress' && e.table === table && ++progress === after) child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (_code, ended) => resolve({ signal: ended, progress })));
}
