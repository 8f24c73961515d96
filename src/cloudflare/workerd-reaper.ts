// The workerd a Miniflare starts is a child process that outlives flarelift when flarelift dies
// without disposing it (kill -9, an OOM kill): it kept running, holding its port and about
// 100 MB, with nothing left to stop it. So, once a Miniflare is up, a tiny shell watches for
// flarelift's end: it blocks reading a pipe only flarelift writes; a normal close writes "done"
// and it exits, while flarelift's death closes the pipe and it kills those workerd processes.
// Linux only (the children are read from /proc); elsewhere nothing is watched.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Child pids of this process (every thread's /proc children list). */
function childPids(): number[] {
  try {
    const out: number[] = [];
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      const list = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
      if (list) out.push(...list.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}

const isWorkerd = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd';
  } catch {
    return false;
  }
};

export interface Reaper {
  /** After the Miniflare is disposed: the watch ends without killing anything. */
  release(): void;
}

const NOTHING: Reaper = { release: () => undefined };

/**
 * Runs `start` (which starts a Miniflare and waits until it is ready) and watches the workerd
 * processes it started.
 */
export async function withReaper<T>(start: () => Promise<T>): Promise<{ value: T; reaper: Reaper }> {
  const before = new Set(childPids());
  const value = await start();
  const started = childPids().filter((pid) => !before.has(pid) && isWorkerd(pid));
  if (started.length === 0) return { value, reaper: NOTHING };
  // `read` fails only at the end of the pipe without a line: flarelift is gone.
  const watch = spawn('sh', ['-c', 'read -r line || kill -9 "$@"', 'flarelift-reaper', ...started.map(String)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // Its own process group: a Ctrl-C to the terminal's group leaves it to the normal close.
    detached: true,
  });
  watch.on('error', () => undefined);
  watch.stdin!.on('error', () => undefined);
  watch.unref();
  (watch.stdin as unknown as { unref?: () => void }).unref?.();
  let released = false;
  return {
    value,
    reaper: {
      release() {
        if (released) return;
        released = true;
        watch.stdin!.end('done\n');
      },
    },
  };
}
