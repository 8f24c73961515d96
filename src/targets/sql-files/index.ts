// The sql: target kind: import files for D1 with a manifest.
import type { TargetKind } from '../target-kind.js';
import { sqlFilesTarget } from './sql-files-target.js';

export const sqlFilesKind: TargetKind = {
  scheme: 'sql',
  form: 'sql:<dir>',
  takes: ['table'],
  options: ['fileBytes'],
  create: (dir, o) => sqlFilesTarget(dir, { fileBytes: o.fileBytes, cwd: o.cwd }),
};
