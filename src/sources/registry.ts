// The open registry of source kinds. Each folder's index registers what --from looks like and
// how to open it; its driver is imported only when it is opened. Adding a kind adds a folder
// and a line in BUILT_IN (or a registerSource() call from outside).
import { UserError, redactUrl } from '../errors.js';
import { registerConnectionSecrets } from '../secrets.js';
import { d1Engine } from './d1/index.js';
import { dirEngine } from './dir/index.js';
import { mysqlEngine } from './mysql/index.js';
import { postgresEngine } from './postgres/index.js';
import { redisEngine } from './redis/index.js';
import type { Source, SourceEngine } from './source.js';
import { s3Engine } from './s3/index.js';
import { sqliteEngine } from './sqlite/index.js';
import { withSourcePassword } from './source-password.js';
import type { UnitSource } from './unit-source.js';

const BUILT_IN: readonly SourceEngine[] = [postgresEngine, mysqlEngine, sqliteEngine, redisEngine, d1Engine, s3Engine, dirEngine];
const KINDS: SourceEngine[] = [...BUILT_IN];

/** Adds a source kind (a later registration of the same engine replaces the earlier one). */
export function registerSource(kind: SourceEngine): void {
  const at = KINDS.findIndex((k) => k.engine === kind.engine);
  if (at >= 0) KINDS[at] = kind;
  else KINDS.push(kind);
}

/** The registered kinds, in registration order. */
export function sourceKinds(): readonly SourceEngine[] {
  return KINDS;
}

/** '--from' forms of every registered kind, for help and errors: 'postgres://…, mysql://… or sqlite:<path>'. */
export function sourceForms(): string {
  const forms = KINDS.flatMap((k) => k.forms);
  return forms.length < 2 ? forms.join('') : `${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1]}`;
}

export function isUnitSource(source: Source | UnitSource): source is UnitSource {
  return 'units' in source && source.units === true;
}

/** Opens a table source or a unit source, whichever kind accepts `spec`. */
export async function openAnySource(given: string): Promise<Source | UnitSource> {
  // before anything can print or throw: the password is hidden whatever the URL's form
  registerConnectionSecrets(given);
  const spec = withSourcePassword(given); // FLARELIFT_PASSWORD when the URL has none
  const kind = KINDS.find((e) => e.accepts(spec));
  if (!kind) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1];
    throw new UserError(
      scheme && scheme.length > 1
        ? `unsupported source '${redactUrl(spec)}': scheme '${scheme}:' is not one flarelift reads; use ${sourceForms()}`
        : `unsupported source '${redactUrl(spec)}': give ${sourceForms()}`,
    );
  }
  return kind.open(spec);
}

/** Opens a source whose collections are tables (schema, and the table-only library entries). */
export async function openSource(spec: string): Promise<Source> {
  const source = await openAnySource(spec);
  if (!isUnitSource(source)) return source;
  await source.close();
  throw new UserError(`${source.description} holds ${source.engine} data, not tables: it cannot go into a table target (d1:, sqlite:, sql:) or through schema`);
}
