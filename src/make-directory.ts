// `mkdir -p` that always ends. Node's mkdirSync({ recursive: true }) retries forever at full CPU
// where a parent exists but refuses children without saying EACCES (/proc: ENOENT on every
// try). Creating one level at a time, each failure is final and reported with its code.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function makeDirectory(dir: string): void {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let d = absolute; ; d = path.dirname(d)) {
    let exists = false;
    try {
      exists = statSync(d).isDirectory() || failNotDirectory(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (exists) break;
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // created meanwhile: fine
    }
  }
}

function failNotDirectory(d: string): never {
  throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
}
