// What a target kind registers (targets/registry.ts), and the target options, declared once.
// A target kind lists the options it takes (TargetKind.options);
// every command that takes --to gets them from here (cli/target-options.ts), so copy, verify
// and migrate cannot drift apart, and an option given for a kind that does not take it is a
// user error naming the kinds that do.
import type { CollectionKind } from '../catalog/collection.js';
import type { Target } from './target.js';
import type { UnitTarget } from './unit-target.js';

export type AnyTarget = Target | UnitTarget;

export interface TargetKind {
  /** The scheme before the colon in --to: 'd1', 'kv'. */
  scheme: string;
  /** How --to looks, for help and errors: 'd1:<database> (local D1; add --remote for the deployed one)'. */
  form: string;
  /** The collections its targets take: ['table'] (d1:, sqlite:, sql:), ['keyspace'] (kv:). */
  takes: readonly CollectionKind[];
  /** Keys of TARGET_OPTIONS this kind takes. */
  options: readonly string[];
  /** Makes the target for the text after the colon (never empty); checks the kind's own option rules. */
  create(rest: string, options: TargetSpecOptions): AnyTarget;
}

export interface TargetSpecOptions {
  /** d1: (and kv:) the remote database through wrangler instead of the local one. */
  remote?: boolean;
  /** The wrangler config file (else wrangler.json/jsonc/toml found from cwd upwards). */
  config?: string;
  /** Local state: wrangler's --persist-to directory. */
  persistTo?: string;
  /** sql: (and d1 remote): the size each import file stays under, in bytes. */
  fileBytes?: number;
  /** Where relative paths resolve (default: the process's cwd). */
  cwd?: string;
  /** Options a registered kind adds beyond these (read by that kind only). */
  [other: string]: unknown;
}

export interface TargetOptionSpec {
  /** The key in TargetSpecOptions (or in copy's options, for write options common to every kind). */
  key: string;
  /** commander flags: '--file-bytes <n>'. */
  flags: string;
  /** Help text; the kinds that take the option are put before it. */
  help: string;
  /** 'write': copy and migrate only; 'both': verify too (it must find the same target). */
  use: 'write' | 'both';
  /** A whole number of at least this (parsed and checked the same way by every command). */
  min?: number;
}

/** Options every target kind takes when written (not listed by the kinds). */
export const COMMON_WRITE_OPTIONS: readonly TargetOptionSpec[] = [
  { key: 'batchSize', flags: '--batch-size <n>', help: 'units (rows, keys) per batch and transaction (default 2000)', use: 'write', min: 1 },
];

/** Options a kind may take, by key: the kinds name them in TargetKind.options. */
export const TARGET_OPTIONS: Record<string, TargetOptionSpec> = {
  config: { key: 'config', flags: '--config <file>', help: 'the wrangler config (default: wrangler.json/jsonc/toml from here upwards)', use: 'both' },
  persistTo: { key: 'persistTo', flags: '--persist-to <dir>', help: 'the local state directory given to wrangler --persist-to', use: 'both' },
  remote: { key: 'remote', flags: '--remote', help: 'the deployed one (not the local state), through wrangler', use: 'both' },
  fileBytes: { key: 'fileBytes', flags: '--file-bytes <n>', help: 'size of each import file in bytes (default 50000000)', use: 'write', min: 1 },
};

/** Adds an option a new kind needs (its key must be new; kinds list it by key). */
export function declareTargetOption(spec: TargetOptionSpec): void {
  TARGET_OPTIONS[spec.key] ??= spec;
}
