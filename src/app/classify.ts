// Settings → where they go on Cloudflare: a binding (database, Redis and bucket URLs), a secret
// (credentials, judged by name and by value), or a plain var. Secret values are kept only in the
// returned `secrets` map, which only the secret-file writers read.
import type { Setting } from './types.js';

export type BindingKind = 'd1' | 'kv' | 'r2';

export interface Classified {
  vars: Record<string, string>;
  /** name → value; written only to the `wrangler secret bulk` file and `.dev.vars`. */
  secrets: Map<string, string>;
  /** Settings that become bindings, with the value's non-secret part for naming (bucket name). */
  bindings: { name: string; kind: BindingKind; bucket?: string }[];
  /** Read by the code but given no value anywhere. */
  missing: { name: string; secret: boolean; from: Setting['from'] }[];
}

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|(^|_)PASS$|(^|_)PWD$|API_?KEY|PRIVATE|CREDENTIAL|(^|_)AUTH|SIGNING|SALT|(^|_)DSN$|ACCESS_KEY|CLIENT_KEY|WEBHOOK)/i;
const TOKEN_PREFIX = /^(sk_(live|test)_|pk_live_|rk_live_|ghp_|gho_|github_pat_|xox[abpr]-|AKIA[0-9A-Z]{12,}|AIza|glpat-|SG\.|-----BEGIN)/;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:[^@\s]+@/i;

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** A random-looking string: long, no spaces, mixed character classes, high entropy — not a URL, path or word list. */
export function looksRandom(v: string): boolean {
  if (v.length < 20 || /\s/.test(v) || /^[a-z]+:\/\//i.test(v) || /^[./~]/.test(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(v)).length;
  return classes >= 2 && entropy(v) >= 3.5;
}

export function isSecret(name: string, value: string | undefined): boolean {
  if (SECRET_NAME.test(name)) return true;
  if (value === undefined) return false;
  return URL_WITH_PASSWORD.test(value) || TOKEN_PREFIX.test(value) || looksRandom(value);
}

function bindingOf(name: string, value: string | undefined): Classified['bindings'][number] | undefined {
  const v = value ?? '';
  if (/^(postgres(ql)?|mysql|mariadb|sqlite|mssql)(\+\w+)?:/i.test(v) || /^DATABASE_URL$|^DB_URL$/i.test(name)) return { name, kind: 'd1' };
  if (/^rediss?:/i.test(v) || /^REDIS_URL$|^CACHE_URL$/i.test(name)) return { name, kind: 'kv' };
  if (/BUCKET/i.test(name) && !SECRET_NAME.test(name)) return { name, kind: 'r2', bucket: value };
  if (/^MEDIA_ROOT$|^UPLOAD_(DIR|FOLDER)$/i.test(name)) return { name, kind: 'r2' };
  return undefined;
}

/**
 * Later settings of the same name override earlier ones (.env.local over .env). Settings found only
 * as constants in a settings module (`fromModule`) are kept when they are secrets: those are
 * credentials in the code that must move out; other constants are the app's own configuration.
 */
export function classifySettings(settings: readonly Setting[]): Classified {
  const byName = new Map<string, Setting & { fromModule?: boolean }>();
  for (const s of settings) {
    const prev = byName.get(s.name);
    if (!prev || s.value !== undefined || prev.value === undefined) byName.set(s.name, s.value === undefined && prev ? { ...s, value: prev.value } : s);
  }
  const out: Classified = { vars: {}, secrets: new Map(), bindings: [], missing: [] };
  for (const s of [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const binding = bindingOf(s.name, s.value);
    if (binding) out.bindings.push(binding);
    else if (s.value === undefined) out.missing.push({ name: s.name, secret: isSecret(s.name, undefined), from: s.from });
    else if (isSecret(s.name, s.value)) out.secrets.set(s.name, s.value);
    else if (!s.fromModule) out.vars[s.name] = s.value;
  }
  return out;
}

/** Replaces every secret value (whatever its characters) with ***: the last guard on what is printed or generated. */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}
