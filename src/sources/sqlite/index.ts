// The SQLite source kind: `sqlite:<path>`, `sqlite://<path>`, or a bare path to a file.
// better-sqlite3 is imported only when such a source is opened.
import { statSync } from 'node:fs';
import type { Source, SourceEngine } from '../source.js';

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

export const sqliteEngine: SourceEngine<Source> = {
  engine: 'sqlite',
  forms: ['sqlite:<path>', 'a .sqlite/.db file'],
  accepts(spec: string): boolean {
    if (/^sqlite:/i.test(spec)) return true;
    if (OTHER_SCHEME.test(spec)) return false;
    return SQLITE_EXTENSIONS.test(spec) || isFile(spec);
  },
  async open(spec: string) {
    return (await import('./sqlite-source.js')).SqliteSource.open(spec);
  },
};
