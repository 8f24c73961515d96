// The open registry of target kinds: the one place `--to` is parsed. Each kind registers its
// scheme (d1:, sqlite:, sql:; kv:, kvjson:, r2: later), the options it takes and how to make
// the target; drivers are imported when a target is opened or read, not here. Adding a kind
// adds a folder and a line in BUILT_IN (or a registerTarget() call from outside).
import { UserError } from '../errors.js';
import { d1Kind } from './d1-local/index.js';
import { kvKind } from './kv/index.js';
import { kvjsonKind } from './kvjson/index.js';
import { r2Kind, s3Kind } from './r2/index.js';
import { sqlFilesKind } from './sql-files/index.js';
import { sqliteFileKind } from './sqlite-file/index.js';
import { sqlDbKinds } from './sql-db/index.js';
import type { Target } from './target.js';
import { TARGET_OPTIONS, type AnyTarget, type TargetKind, type TargetOptionSpec, type TargetSpecOptions } from './target-kind.js';
import type { UnitTarget } from './unit-target.js';
import type { CollectionKind } from '../catalog/collection.js';

export type { AnyTarget, TargetKind, TargetSpecOptions } from './target-kind.js';

const BUILT_IN: readonly TargetKind[] = [d1Kind, sqliteFileKind, sqlFilesKind, kvKind, kvjsonKind, ...sqlDbKinds, r2Kind, s3Kind];
const KINDS: TargetKind[] = [...BUILT_IN];

/** Adds a target kind (a later registration of the same scheme replaces the earlier one). */
export function registerTarget(kind: TargetKind): void {
  const at = KINDS.findIndex((k) => k.scheme === kind.scheme);
  if (at >= 0) KINDS[at] = kind;
  else KINDS.push(kind);
}

export function targetKinds(): readonly TargetKind[] {
  return KINDS;
}

/** Every --to form, for help and errors. */
export function targetForms(): string {
  const forms = KINDS.map((k) => k.form);
  return forms.length < 2 ? forms.join('') : `${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}`;
}

/** The options any registered kind takes, each with the kinds that take it. */
export function declaredTargetOptions(): { spec: TargetOptionSpec; kinds: TargetKind[] }[] {
  const keys = [...new Set(KINDS.flatMap((k) => k.options))];
  return keys.map((key) => ({ spec: TARGET_OPTIONS[key], kinds: KINDS.filter((k) => k.options.includes(key)) }));
}

export function isUnitTarget(target: AnyTarget): target is UnitTarget {
  return 'castFrom' in target;
}

/** Parses --to into a target of any kind. */
export function parseAnyTarget(spec: string, options: TargetSpecOptions = {}): AnyTarget {
  const m = /^([a-z0-9-]+):(.*)$/i.exec(spec.trim());
  const scheme = m?.[1].toLowerCase();
  const rest = m?.[2] ?? '';
  const kind = KINDS.find((k) => k.scheme === scheme);
  if (!m || !kind) throw new UserError(`unknown target '${spec}': use ${targetForms()}`);
  if (rest === '') throw new UserError(`target '${spec}' names nothing after '${scheme}:': use ${targetForms()}`);
  for (const { spec: option, kinds } of declaredTargetOptions()) {
    const given = options[option.key];
    if (given === undefined || given === false || kind.options.includes(option.key)) continue;
    const flag = option.flags.split(' ')[0];
    throw new UserError(`${flag} applies to ${kinds.map((k) => k.form.split(' ')[0]).join(', ')} targets only, not '${spec}'`);
  }
  return kind.create(rest, options);
}

/** The target as a table target: a user error when it takes other data. */
export function tableTarget(target: AnyTarget): Target {
  if (isUnitTarget(target)) {
    throw new UserError(`${target.description} takes ${target.accepts.join(' or ')} data, not tables: copy a database into ${tableForms()}`);
  }
  return target;
}

/** The target as a unit target for `what` (a unit source's description): a user error when it takes tables. */
export function unitTarget(target: AnyTarget, what: string): UnitTarget {
  if (!isUnitTarget(target)) throw new UserError(`${target.description} takes tables, and ${what} holds none: choose a target that takes its data`);
  return target;
}

/** The --to forms of the kinds that take this kind of collection. */
export function formsTaking(kind: CollectionKind): string {
  return KINDS.filter((k) => k.takes.includes(kind)).map((k) => k.form.split(' ')[0]).join(', ') || 'no registered target';
}

function tableForms(): string {
  return formsTaking('table');
}

/** Parses --to into a table target (the table-only library entries). */
export function parseTarget(spec: string, options: TargetSpecOptions = {}): Target {
  return tableTarget(parseAnyTarget(spec, options));
}
