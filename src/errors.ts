// User errors are not bugs (wrangler's UserError): they print one line with the fix and exit 2.

export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(redactSecrets(message));
    this.name = 'UserError';
  }
}

/** Replaces the password in any URL-looking text (`scheme://user:password@host`) with ***. */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):([^@\s]*)@/gi, '$1:***@');
}

/** A URL with its password removed, for display. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
