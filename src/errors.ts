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
