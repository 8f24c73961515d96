// flarelift.toml: the user's cast rules (matched before the engine defaults). Validated with zod
// so a mistake is one line naming the file, the entry and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type * as Zod from 'zod';
import type { CastRule } from '../casting/rules.js';
import { TRANSFORMS } from '../casting/transforms.js';
import { UserError } from '../errors.js';

export const DEFAULT_CONFIG_FILE = 'flarelift.toml';

// zod is loaded (synchronously, as loadConfig is) only when there is a file to validate: most
// runs have none, and zod is a good part of the CLI's start-up.
const require = createRequire(import.meta.url);

function buildSchema() {
  const { z } = require('zod') as typeof Zod;
  const castSchema = z
    .object({
      type: z.union([z.string(), z.array(z.string()).nonempty()]).optional(),
      column: z.string().regex(/^[^.]+\.[^.]+$/, 'must be "table.column"').optional(),
      domain: z.string().optional(),
      unsigned: z.boolean().optional(),
      nullable: z.boolean().optional(),
      min_length: z.number().int().optional(),
      max_length: z.number().int().optional(),
      min_precision: z.number().int().optional(),
      max_precision: z.number().int().optional(),
      transform: z.string().refine((t) => TRANSFORMS.has(t), {
        message: `is not a transform; known: ${[...TRANSFORMS.keys()].join(', ')}`,
      }),
    })
    .strict();

  const rewriteSchema = z
    .object({
      from: z.string().min(1, 'must not be empty'),
      to: z.string(),
      columns: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'must be "table.column"')).optional(),
    })
    .strict();
  return z.object({ cast: z.array(castSchema).default([]), rewrite: z.array(rewriteSchema).default([]) }).strict();
}

let configSchema: ReturnType<typeof buildSchema> | undefined;

export interface FlareliftConfig {
  /** The file read, or undefined when there was none. */
  file?: string;
  castRules: CastRule[];
}

/** Reads `explicit` (must exist) or ./flarelift.toml when present; no file means no user rules. */
export function loadConfig(explicit: string | undefined, cwd: string = process.cwd()): FlareliftConfig {
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) throw new UserError(`config file ${explicit} does not exist: check the path given to --config-file`);
    return { castRules: [] };
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const where = e instanceof TomlError ? ` at line ${e.line}, column ${e.column}` : '';
    const what = (e as Error).message.split('\n')[0];
    throw new UserError(`${path.basename(file)} is not valid TOML${where}: ${what}`);
  }
  const parsed = (configSchema ??= buildSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p + 1}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new UserError(`${path.basename(file)}: ${at || 'file'} ${issue.message} — see "flarelift.toml" in the README`);
  }
  const origin = path.basename(file);
  const castRules = parsed.data.cast.map(
    (c): CastRule => ({
      match: {
        type: c.type,
        column: c.column,
        domain: c.domain,
        unsigned: c.unsigned,
        nullable: c.nullable,
        minLength: c.min_length,
        maxLength: c.max_length,
        minPrecision: c.min_precision,
        maxPrecision: c.max_precision,
      },
      transform: c.transform,
      origin,
    }),
  );
  // Rewrites travel with the cast rules (one list reaches copy, verify, migrate and plan): CastRules.combine takes them out.
  if (parsed.data.rewrite.length > 0) castRules.push({ match: {}, transform: 'copy', origin: `${origin} [[rewrite]]`, rewrites: parsed.data.rewrite });
  return { file, castRules };
}
