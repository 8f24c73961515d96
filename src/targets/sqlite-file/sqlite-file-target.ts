// `--to sqlite:<path>`: a plain SQLite file. It is not D1, so only SQLite's own limits apply;
// copy into `d1:` (local) to have D1's limits enforced.
import path from 'node:path';
import type { Target, TargetCapabilities } from '../target.js';
import { SQLITE_MAX_BOUND_PARAMETERS, SQLITE_MAX_LENGTH } from './sqlite-limits.js';
import { openSqliteSession } from './sqlite-session.js';

export const SQLITE_FILE_CAPABILITIES: TargetCapabilities = {
  limitsOf: 'SQLite',
  maxValueBytes: SQLITE_MAX_LENGTH,
  maxRowBytes: SQLITE_MAX_LENGTH,
  maxBoundParameters: SQLITE_MAX_BOUND_PARAMETERS,
  constraintErrors: 'per-row',
  foreignKeys: 'check-after-load',
};

export function sqliteFileTarget(file: string, cwd: string = process.cwd()): Target {
  const absolute = path.resolve(cwd, file);
  return {
    kind: 'sqlite-file',
    description: `SQLite file ${absolute}`,
    capabilities: SQLITE_FILE_CAPABILITIES,
    lockFile: `${absolute}.flarelift-lock`,
    open: async () => openSqliteSession({ file: absolute, where: absolute, restoreJournalMode: true, maxParameters: SQLITE_FILE_CAPABILITIES.maxBoundParameters }),
    async reader() {
      const { openLocalReader } = await import('./sqlite-file-reader.js');
      return openLocalReader(absolute, `SQLite file ${absolute}`, 'run copy first, or check the path');
    },
    async sync() {
      const { openSqliteSync } = await import('./sqlite-sync.js');
      return openSqliteSync({ file: absolute, where: `SQLite file ${absolute}`, restoreJournalMode: true, hint: 'run copy first, or check the path' });
    },
  };
}
