// `--to sql:<dir>`: import files for a D1 database (remote: `wrangler d1 execute <db> --remote
// --file <f>`, each file in manifest.json order). D1's limits hold for every row and statement.
import path from 'node:path';
import { UserError } from '../../errors.js';
import { D1_MAX_BOUND_PARAMETERS, D1_MAX_ROW_BYTES, D1_MAX_STATEMENT_BYTES } from '../../cloudflare/limits.js';
import type { Target, TargetCapabilities } from '../target.js';
import { SqlFilesSession } from './sql-files-session.js';

/** Default size of one import file: D1 imports are all-or-nothing per file, and very large ones have failed. */
export const DEFAULT_FILE_BYTES = 50_000_000;
/** Statements stay this far under D1's limit, whatever D1 counts besides the statement's own bytes. */
const STATEMENT_MARGIN = 1_000;

export const SQL_FILES_CAPABILITIES: TargetCapabilities = {
  limitsOf: 'D1',
  maxValueBytes: D1_MAX_ROW_BYTES,
  maxRowBytes: D1_MAX_ROW_BYTES,
  maxStatementBytes: D1_MAX_STATEMENT_BYTES,
  // Values are written as literals: no statement binds any (D1 would take at most this many).
  maxBoundParameters: D1_MAX_BOUND_PARAMETERS,
  constraintErrors: 'per-file',
  foreignKeys: 'deferred-per-file',
};

export function sqlFilesOptions(dir: string, fileBytes: number | undefined) {
  const bytes = fileBytes ?? DEFAULT_FILE_BYTES;
  if (!Number.isFinite(bytes) || bytes < D1_MAX_STATEMENT_BYTES) {
    throw new UserError(`--file-bytes ${fileBytes} is too small: give at least ${D1_MAX_STATEMENT_BYTES} (one statement)`);
  }
  return { dir, fileBytes: bytes, statementBytes: D1_MAX_STATEMENT_BYTES - STATEMENT_MARGIN };
}

export function sqlFilesTarget(dir: string, options: { fileBytes?: number; cwd?: string } = {}): Target {
  const absolute = path.resolve(options.cwd ?? process.cwd(), dir);
  const sessionOptions = sqlFilesOptions(absolute, options.fileBytes);
  return {
    kind: 'sql-files',
    description: `SQL import files in ${absolute}`,
    capabilities: SQL_FILES_CAPABILITIES,
    lockFile: `${absolute.replace(/[\\/]+$/, '')}.flarelift-lock`,
    open: async () => new SqlFilesSession(sessionOptions),
    reader: async () => {
      throw new UserError(`sql:${dir} is a directory of import files, not a database: apply them (wrangler d1 execute --file) and verify the database (d1:<name>)`);
    },
  };
}
