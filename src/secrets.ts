// Secrets in connection settings, hidden wherever text leaves the process. A source URL is parsed
// once (registerConnectionSecrets) and every form its password can take — as typed, decoded,
// percent-encoded, in `?password=` — is remembered; redactSecrets then replaces each of them,
// whatever characters they hold (a space, a raw `@`). Structural patterns catch URLs that were
// never registered (text from a library caller, a driver's message).

const secrets = new Set<string>();
/** Shorter secrets are hidden by the URL patterns only: replacing every `ab` would garble output. */
const MIN_SECRET_LENGTH = 3;
const PASSWORD_PARAMS = ['password', 'sslpassword', 'pass', 'pwd'];
const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const forms = [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+')];
  try {
    forms.push(decodeURIComponent(value));
  } catch {
    // not a percent-encoded form: nothing more to add
  }
  for (const form of forms) if (form.length >= MIN_SECRET_LENGTH) secrets.add(form);
}

/**
 * Remembers the password of a connection URL in every form (userinfo, even with spaces or a raw
 * `@`; query parameters such as `?password=`). Never throws: a URL that does not parse still has
 * what sits between `user:` and the last `@` registered.
 */
export function registerConnectionSecrets(spec: string): void {
  if (!URL_FORM.test(spec.trim())) return;
  const text = spec.trim();
  const afterScheme = text.slice(text.indexOf('://') + 3);
  // userinfo ends at the last @ before the path (a raw @ in the password stays in it)
  const authority = afterScheme.split(/[/?#]/)[0];
  const at = authority.lastIndexOf('@');
  // a raw '/' or '?' in a password cuts the authority short: look at the last @ of the whole text too
  const lastAt = afterScheme.lastIndexOf('@');
  for (const end of new Set([at, lastAt])) {
    if (end < 0) continue;
    const userinfo = afterScheme.slice(0, end);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) registerSecret(userinfo.slice(colon + 1));
  }
  for (const m of text.matchAll(/[?&]([a-z_]+)=([^&#]*)/gi)) {
    if (PASSWORD_PARAMS.includes(m[1].toLowerCase())) {
      registerSecret(m[2]);
      registerSecret(m[2].replace(/\+/g, ' '));
    }
  }
  try {
    const url = new URL(text);
    registerSecret(url.password);
    for (const p of PASSWORD_PARAMS) for (const v of url.searchParams.getAll(p)) registerSecret(v);
  } catch {
    // unparsable: the forms above are registered
  }
}

/** Replaces every registered secret, and the password of any URL-looking text, with ***. */
export function redactSecrets(text: string): string {
  let out = text;
  if (secrets.size > 0) {
    // longest first, so a secret that contains another is replaced whole
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join('***');
    }
  }
  return out
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^\s/]*@/gi, '$1:***@')
    .replace(/([?&](?:password|sslpassword|pass|pwd)=)[^&#\s'"]*/gi, '$1***');
}

/**
 * A connection URL for display, rebuilt from its parsed settings: the user, host, port, database
 * and non-secret parameters, never the password (in userinfo or a query parameter).
 */
export function displayUrl(spec: string): string {
  registerConnectionSecrets(spec);
  try {
    const url = new URL(spec.trim());
    if (url.password) url.password = '***';
    for (const p of PASSWORD_PARAMS) if (url.searchParams.has(p)) url.searchParams.set(p, '***');
    return redactSecrets(decodeURI(url.href).replace(/%2A%2A%2A/g, '***'));
  } catch {
    return redactSecrets(spec);
  }
}
