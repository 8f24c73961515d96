// Where a source's password may come from besides its URL: --password-file or FLARELIFT_PASSWORD,
// so it need not sit on the command line where `ps` shows it.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { registerConnectionSecrets, registerSecret } from '../secrets.js';

const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Decodes a percent-encoded URL part, or says in one line that it is malformed. */
export function decodeUrlPart(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UserError(`the ${what} in the URL holds a malformed percent-escape (a % not followed by two hex digits): write a literal % as %25`);
  }
}

export const SOURCE_PASSWORD_ENV = 'FLARELIFT_PASSWORD';

/**
 * The source URL with its password taken from `--password-file` or FLARELIFT_PASSWORD, so the
 * password need not be on the command line (where `ps` shows it). A password in the URL wins
 * over the environment; a file given explicitly wins over both.
 */
export function withSourcePassword(spec: string, options: { passwordFile?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env;
  let password: string | undefined;
  if (options.passwordFile !== undefined) {
    try {
      password = readFileSync(options.passwordFile, 'utf8').split(/\r?\n/)[0];
    } catch (e) {
      throw new UserError(`cannot read --password-file ${options.passwordFile} (${(e as NodeJS.ErrnoException).code ?? 'error'}): give a readable file holding the password on its first line`);
    }
    if (!password) throw new UserError(`--password-file ${options.passwordFile} is empty: put the password on its first line`);
  } else if (env[SOURCE_PASSWORD_ENV]) {
    password = env[SOURCE_PASSWORD_ENV];
  }
  if (password === undefined) return spec;
  registerSecret(password);
  if (!URL_FORM.test(spec.trim())) {
    if (options.passwordFile !== undefined) throw new UserError('--password-file applies to postgres:// and mysql:// sources only');
    return spec;
  }
  let url: URL;
  try {
    url = new URL(spec.trim());
  } catch {
    return spec; // the source's own parser reports the bad URL
  }
  if (url.password && options.passwordFile === undefined) return spec;
  if (!url.username) {
    throw new UserError('the source URL names no user: give one (postgres://user@host/db) for the password to belong to');
  }
  url.password = encodeURIComponent(password);
  registerConnectionSecrets(url.href);
  return url.href;
}
