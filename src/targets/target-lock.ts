// One writer per target. A copy holds a lock file beside the target for its whole run: a second
// copy (or copy --resume) on the same target is refused in one line instead of both writing into
// one journal. The file names the holder's pid and host; a lock whose process is gone (kill -9,
// a crash) is taken over, so a crashed run never blocks the next one.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, started: String(h.started) } : undefined;
  } catch {
    return undefined; // unreadable or cut short by a crash while being written: stale
  }
}

/**
 * A live copy other than this process writing there, if any (a lock whose process is gone does
 * not count). Verify asks this instead of taking the lock: it only reads.
 */
export function lockHolder(file: string): LockHolder | undefined {
  const holder = readHolder(file);
  if (!holder) return undefined;
  const foreignHost = holder.host !== hostname();
  if (!foreignHost && (holder.pid === process.pid || !alive(holder.pid))) return undefined;
  return holder;
}

/** Throws the one-line refusal of a verify while a copy writes the target (see lockHolder). */
export function refuseWhileWritten(file: string | undefined, description: string): void {
  const holder = file === undefined ? undefined : lockHolder(file);
  if (holder) {
    throw new UserError(
      `${description} is being written by another flarelift (pid ${holder.pid} on ${holder.host}, since ${holder.started}): verify once that copy has finished` +
        (holder.host !== hostname() ? `, or remove ${file} if it is not running` : ''),
    );
  }
}

export interface TargetLock {
  release(): void;
}

const held = new Set<string>();
let exitHook = false;

/** Takes the lock or throws a UserError naming who holds it. */
export function lockTarget(file: string, description: string): TargetLock {
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      makeDirectory(path.dirname(file));
      fd = openSync(file, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new UserError(`cannot open ${file} (${code ?? 'error'}), the lock file a copy keeps beside its target: check the --to path and that its directory can be created`);
      }
      const holder = readHolder(file);
      const foreignHost = holder !== undefined && holder.host !== hostname();
      if (holder && (foreignHost || alive(holder.pid)) && !(holder.pid === process.pid && !foreignHost)) {
        throw new UserError(
          `${description} is being written by another flarelift (pid ${holder.pid} on ${holder.host}, since ${holder.started}): wait for it to finish` +
            (foreignHost ? `, or remove ${file} if it is not running` : ''),
        );
      }
      if (attempt > 0) throw new UserError(`cannot take the lock ${file}: another flarelift keeps taking it; run one copy at a time`);
      rmSync(file, { force: true }); // its process is gone: a crashed run's lock
      continue;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() } satisfies LockHolder));
    } finally {
      closeSync(fd);
    }
    held.add(file);
    if (!exitHook) {
      exitHook = true;
      // process.exit (a second Ctrl-C) skips finally blocks: the lock still goes
      process.on('exit', () => {
        for (const f of held) rmSync(f, { force: true });
      });
    }
    return {
      release() {
        if (!held.delete(file)) return;
        const holder = readHolder(file);
        if (holder?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
}
