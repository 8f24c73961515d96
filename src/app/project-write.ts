// Writes the planned Worker project into <worker-dir>: the wrangler config (fresh or merged), the
// generated dispatcher, job stubs, and the secret files (.dev.vars and the `wrangler secret bulk`
// file), both git-ignored. Returns the paths written, for the report.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { scrubSecrets } from './classify.js';
import { freshConfig, mergeConfig } from './config-write.js';
import type { ProjectPlan } from './project-plan.js';
import { GENERATED_HEADER, indexSource, jobsSource } from './worker-code.js';

/** The file for `wrangler secret bulk <file>` (JSON object of name → value). */
export const SECRETS_FILE = 'secrets.bulk.json';
export const DEV_VARS_FILE = '.dev.vars';
const IGNORED = ['node_modules/', '.wrangler/', DEV_VARS_FILE, SECRETS_FILE];

export interface Written {
  config: string;
  /** Whether the config existed and was merged. */
  merged: boolean;
  files: string[];
  /** `main` of an existing config when it is not the generated dispatcher. */
  otherMain?: string;
  /** The generated dispatcher, relative to the project. */
  dispatcher: string;
}

/**
 * A .dev.vars value for wrangler's parser (dotenv): quotes are stripped but nothing inside is
 * unescaped, so the value goes between a quote character it does not contain. Single quotes
 * first: inside double quotes dotenv turns `\n` into a newline.
 */
const devVarsValue = (v: string): string => {
  const q = ["'", '`', '"'].find((c) => !v.includes(c)) ?? "'";
  return `${q}${v}${q}`;
};

function write(file: string, text: string, files: string[], mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, mode === undefined ? undefined : { mode });
  files.push(file);
}

export function writeProject(plan: ProjectPlan, outDir: string, backendLabel: string): Written {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create ${outDir}: ${(e as Error).message} — pass a writable --out folder`);
  }
  if (existsSync(path.join(outDir, 'wrangler.toml'))) {
    throw new UserError(`${path.join(outDir, 'wrangler.toml')} exists: flarelift app merges into wrangler.json or wrangler.jsonc only — convert it (or move it away) and run again`);
  }
  const files: string[] = [];
  // Every file but the two secret files: generated code quotes the backend's source lines, so
  // each secret value is scrubbed from it before it is written.
  const values = [...plan.config.secrets.values()];
  const put = (file: string, text: string): void => write(file, scrubSecrets(text, values), files);
  const existing = ['wrangler.jsonc', 'wrangler.json'].map((n) => path.join(outDir, n)).find((f) => existsSync(f));
  const config = existing ?? path.join(outDir, 'wrangler.jsonc');
  let otherMain: string | undefined;
  if (existing) {
    const text = readFileSync(existing, 'utf8');
    put(existing, mergeConfig(text, existing, plan));
    const main = /"main"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    if (main && path.normalize(main) !== path.normalize('src/index.ts')) otherMain = main;
  } else put(config, freshConfig(plan));

  // The user's own src/index.ts is never overwritten: the dispatcher then goes beside it.
  let dispatcher = path.join(outDir, 'src/index.ts');
  if (existsSync(dispatcher) && !readFileSync(dispatcher, 'utf8').startsWith(GENERATED_HEADER)) {
    dispatcher = path.join(outDir, 'src/flarelift.ts');
    otherMain ??= 'src/index.ts';
  }
  put(dispatcher, indexSource(plan, backendLabel));
  const jobsFile = path.join(outDir, 'src/jobs.ts');
  const jobs = jobsSource(plan, existsSync(jobsFile) ? readFileSync(jobsFile, 'utf8') : undefined);
  if (jobs !== undefined) put(jobsFile, jobs);

  const secrets = [...plan.config.secrets.entries()];
  if (secrets.length) {
    // Owner-only: these hold the credentials.
    write(path.join(outDir, SECRETS_FILE), `${JSON.stringify(Object.fromEntries(secrets), null, 2)}\n`, files, 0o600);
    write(path.join(outDir, DEV_VARS_FILE), `${secrets.map(([k, v]) => `${k}=${devVarsValue(v)}`).join('\n')}\n`, files, 0o600);
  }
  const gitignore = path.join(outDir, '.gitignore');
  const have = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const lines = new Set(have.split(/\r?\n/).map((l) => l.trim()));
  const add = IGNORED.filter((l) => !lines.has(l) && !lines.has(`/${l}`));
  if (add.length) write(gitignore, `${have}${have && !have.endsWith('\n') ? '\n' : ''}${add.join('\n')}\n`, files);

  const pkg = path.join(outDir, 'package.json');
  if (!existsSync(pkg)) {
    const json = { name: plan.name, private: true, type: 'module', scripts: { dev: 'wrangler dev', deploy: 'wrangler deploy', secrets: `wrangler secret bulk ${SECRETS_FILE}` }, devDependencies: { wrangler: '^4.86.0' } };
    write(pkg, `${JSON.stringify(json, null, 2)}\n`, files);
  }
  return { config, merged: existing !== undefined, files, otherMain, dispatcher: path.relative(outDir, dispatcher) };
}
