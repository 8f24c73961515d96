// SQLite and file-system failures that are the user's to fix, as one-line UserErrors. Anything
// else is rethrown as it is (a possible bug).
import { UserError } from '../../errors.js';

interface CodedError {
  code?: string;
  message?: string;
}

/** Constraint, type and size errors belong to one row: that row is rejected and the copy goes on. */
export function isRowError(e: unknown): boolean {
  const code = (e as CodedError)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG');
}

/** The UserError for a failure writing `where`, or undefined when it is not one the user can fix. */
export function writeFailure(e: unknown, where: string): UserError | undefined {
  const code = (e as CodedError)?.code ?? '';
  const why = (e as CodedError)?.message ?? String(e);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new UserError(`disk full writing ${where}: free some space, then run the same copy with --resume`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UserError(`${where} is not writable (${why}): fix its permissions or choose another target`);
  }
  if (code === 'ENAMETOOLONG') {
    return new UserError(`a file name under ${where} is too long for the file system (${why}): choose a shorter path`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || ['ENOTDIR', 'EISDIR', 'ENOENT', 'EEXIST'].includes(code)) {
    return new UserError(`cannot open ${where} (${why}): check the path and that its directory can be created`);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new UserError(`${where} is not a SQLite database (${why}): choose a SQLite file or a new path`);
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY')) {
    return new UserError(`${where} is locked by another process (${why}): stop it (wrangler dev?) and run again`);
  }
  return undefined;
}

/** Runs fn, turning user-fixable write failures into UserErrors. */
export function guardWrite<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw writeFailure(e, where) ?? e;
  }
}
