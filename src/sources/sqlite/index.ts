// The SQLite source engine: `sqlite:<path>`, `sqlite://<path>`, or a bare path to a file.
import { statSync } from 'node:fs';
import type { SourceEngine } from '../source.js';
import { SqliteSource, sqlitePath } from './sqlite-source.js';

const SQLITE_EXTENSIONS = /\.(sqlite3?|db3?)$/i;
// Any `scheme:` except a Windows drive letter (C:\data\app.db).
const OTHER_SCHEME = /^(?![a-z]:[\\/])[a-z][a-z0-9+.-]*:/i;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export const sqliteEngine: SourceEngine = {
  engine: 'sqlite',
  accepts(spec: string): boolean {
    if (/^sqlite:/i.test(spec)) return true;
    if (OTHER_SCHEME.test(spec)) return false;
    return SQLITE_EXTENSIONS.test(spec) || isFile(spec);
  },
  async open(spec: string) {
    return SqliteSource.open(spec);
  },
};

export { SqliteSource, sqlitePath };
export { SQLITE_CAST_RULES } from './sqlite-cast-rules.js';
