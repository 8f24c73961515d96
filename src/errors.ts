// User errors are not bugs (wrangler's UserError): they print one line with the fix and exit 2.
import { redactSecrets } from './secrets.js';

export { redactSecrets };

export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(redactSecrets(message));
    this.name = 'UserError';
  }
}


/** A URL with its password removed, for display (rebuilt from its parsed settings). */
export { displayUrl as redactUrl } from './secrets.js';

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/**
 * A source connection lost mid-run (terminated, killed, reset, stalled). The pipeline adds what
 * to do next: copy is resumable, verify can simply run again.
 */
export class ConnectionLostError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** Runs `fn`; a lost connection comes out as one line ending with what to do next. */
export async function hintOnLostConnection<T>(fn: () => Promise<T>, hint: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ConnectionLostError) throw new ConnectionLostError(`${e.message.replace(/\.$/, '')}; ${hint}`);
    throw e;
  }
}
