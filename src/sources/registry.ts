// The one list of source engines. Adding an engine adds a folder and a line here.
import { UserError, redactUrl } from '../errors.js';
import { registerConnectionSecrets } from '../secrets.js';
import { withSourcePassword } from './source-password.js';
import { mysqlEngine } from './mysql/index.js';
import { postgresEngine } from './postgres/index.js';
import type { Source, SourceEngine } from './source.js';
import { sqliteEngine } from './sqlite/index.js';

export const SOURCE_ENGINES: readonly SourceEngine[] = [postgresEngine, mysqlEngine, sqliteEngine];

export async function openSource(given: string): Promise<Source> {
  // before anything can print or throw: the password is hidden whatever the URL's form
  registerConnectionSecrets(given);
  const spec = withSourcePassword(given); // FLARELIFT_PASSWORD when the URL has none
  const engine = SOURCE_ENGINES.find((e) => e.accepts(spec));
  if (!engine) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1];
    throw new UserError(
      scheme && scheme.length > 1
        ? `unsupported source '${redactUrl(spec)}': scheme '${scheme}:' is not one flarelift reads; use postgres://, mysql://, mariadb:// or sqlite:<path>`
        : `unsupported source '${redactUrl(spec)}': give a postgres:// or mysql:// URL, or sqlite:<path> for a SQLite file`,
    );
  }
  return engine.open(spec);
}
