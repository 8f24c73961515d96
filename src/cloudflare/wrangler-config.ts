// Finding and reading the Worker project's wrangler config the way wrangler 4 does: which D1
// database (and, for other targets, which binding) `wrangler … --local` and `wrangler dev` would open.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import jsonc from 'jsonc-parser';
import { TomlError, parse as parseToml } from 'smol-toml';
import { UserError } from '../errors.js';

export interface D1DatabaseConfig {
  binding: string;
  /** Optional in wrangler 4 (local-only projects may give a binding alone). */
  database_name?: string;
  database_id?: string;
  preview_database_id?: string;
  migrations_dir?: string;
  migrations_table?: string;
}

export interface WranglerConfig {
  /** Absolute path of the config file. */
  path: string;
  /** The D1 bindings of the chosen environment (top level when no env is given). */
  d1Databases: D1DatabaseConfig[];
  /** The KV bindings, likewise. */
  kvNamespaces: KvNamespaceConfig[];
  /** The R2 bindings, likewise. */
  r2Buckets: R2BucketConfig[];
}

export interface KvNamespaceConfig {
  binding: string;
  id?: string;
  preview_id?: string;
}

export interface R2BucketConfig {
  binding: string;
  bucket_name?: string;
  preview_bucket_name?: string;
  jurisdiction?: string;
}

// wrangler's order: each name is searched from cwd up to the root before the next name, so a
// wrangler.json in a parent directory wins over a wrangler.toml beside you (as in wrangler).
const CONFIG_NAMES = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'] as const;

function findUp(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: try the parent
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The config wrangler would use: `--config` when given (relative to cwd, as in wrangler), else
 * the first of wrangler.json, wrangler.jsonc, wrangler.toml found from cwd upwards. `env`
 * selects `env.<name>`: d1_databases is not inherited from the top level there (wrangler's rule).
 * The `.wrangler/deploy/config.json` redirect is not followed: `wrangler d1 execute` ignores it too.
 */
export function findWranglerConfig(opts: { config?: string; cwd: string; env?: string }): WranglerConfig {
  const file = opts.config !== undefined ? path.resolve(opts.cwd, opts.config) : CONFIG_NAMES.map((n) => findUp(n, opts.cwd)).find(Boolean);
  if (file === undefined) {
    throw new UserError(`no wrangler.toml/wrangler.json(c) in ${path.resolve(opts.cwd)} — run from your Worker project or pass --config`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UserError(`no such wrangler config: ${file} — check the --config path`);
    if (code === 'EISDIR') throw new UserError(`${file} is a directory — pass the wrangler.toml/wrangler.json(c) file to --config`);
    throw new UserError(`cannot read ${file}: ${(e as Error).message} — check the file's permissions`);
  }
  const raw = file.endsWith('.toml') ? parseTomlFile(text, file) : parseJsonFile(text, file);
  const section = envSection(raw, file, opts.env);
  return {
    path: file,
    d1Databases: bindings<D1DatabaseConfig>(section, 'd1_databases', file, ['database_name', 'database_id', 'preview_database_id', 'migrations_dir', 'migrations_table'], 'D1 database'),
    kvNamespaces: bindings<KvNamespaceConfig>(section, 'kv_namespaces', file, ['id', 'preview_id'], 'KV namespace'),
    r2Buckets: bindings<R2BucketConfig>(section, 'r2_buckets', file, ['bucket_name', 'preview_bucket_name', 'jurisdiction'], 'R2 bucket'),
  };
}

function parseTomlFile(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      throw new UserError(`cannot parse ${file} line ${e.line}: ${reason} — fix the TOML syntax`);
    }
    throw e;
  }
}

function parseJsonFile(text: string, file: string): Record<string, unknown> {
  // wrangler reads .json and .jsonc alike: comments and trailing commas allowed.
  const errors: jsonc.ParseError[] = [];
  const data = jsonc.parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length) {
    const line = text.slice(0, errors[0].offset).split('\n').length;
    throw new UserError(`cannot parse ${file} line ${line}: ${jsonc.printParseErrorCode(errors[0].error)} — fix the JSON syntax`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(`cannot parse ${file}: the top level is not an object — fix the JSON syntax`);
  }
  return data as Record<string, unknown>;
}

/** The chosen environment's section: `env.<name>` (bindings are not inherited from the top level there, wrangler's rule). */
function envSection(raw: Record<string, unknown>, file: string, env: string | undefined): Record<string, unknown> {
  if (env === undefined) return raw;
  const envs = (raw.env ?? {}) as Record<string, Record<string, unknown>>;
  if (envs[env] !== undefined) return envs[env];
  if (Object.keys(envs).length > 0) {
    throw new UserError(`no environment '${env}' in ${file}; it has: ${Object.keys(envs).join(', ')} — pass one of them with --env`);
  }
  // No env sections at all: wrangler warns and uses the top level; so do we.
  return raw;
}

/** A list of bindings (d1_databases, kv_namespaces, r2_buckets): each entry needs a binding; the string fields in `keys` are kept. */
function bindings<T extends { binding: string }>(section: Record<string, unknown>, name: string, file: string, keys: readonly string[], add: string): T[] {
  const list = section[name];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new UserError(`${name} in ${file} is not a list — write it as [[${name}]] (TOML) or an array (JSON)`);
  return list.map((entry, i): T => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.binding !== 'string' || e.binding === '') {
      throw new UserError(`${name} entry ${i + 1} in ${file} has no "binding" — give each ${add} a binding name`);
    }
    const out: Record<string, string> = { binding: e.binding };
    for (const key of keys) if (typeof e[key] === 'string') out[key] = e[key];
    return out as unknown as T;
  });
}

/**
 * The D1 database `name` refers to, matched against database_name or binding, first match
 * wins (wrangler's getDatabaseInfoFromConfig). Without a name, the only database there is.
 */
export function findD1Database(config: WranglerConfig, name?: string): D1DatabaseConfig {
  const file = path.basename(config.path);
  if (config.d1Databases.length === 0) {
    throw new UserError(`no d1_databases in ${config.path} — add a D1 binding (wrangler d1 create <name> prints one) or pass --config`);
  }
  if (name === undefined) {
    if (config.d1Databases.length === 1) return config.d1Databases[0];
    throw new UserError(`${file} has several D1 databases (${describe(config)}) — say which one`);
  }
  const found = config.d1Databases.find((d) => d.database_name === name || d.binding === name);
  if (!found) throw new UserError(`no D1 database '${name}' in ${file}; it has: ${describe(config)}`);
  return found;
}

function describe(config: WranglerConfig): string {
  return config.d1Databases.map((d) => d.database_name ?? d.binding).join(', ');
}
