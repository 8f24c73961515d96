// The sqlite: target kind: a plain SQLite file.
import type { TargetKind } from '../target-kind.js';
import { sqliteFileTarget } from './sqlite-file-target.js';

export const sqliteFileKind: TargetKind = {
  scheme: 'sqlite',
  form: 'sqlite:<path>',
  takes: ['table'],
  options: [],
  create: (file, o) => sqliteFileTarget(file, o.cwd),
};
