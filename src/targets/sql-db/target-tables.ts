// The target database's tables by lower-cased name (PostgreSQL folds unquoted names, MySQL may
// too), introspected once and again on demand after DDL: shared by the copy and sync sessions.
import type { Table } from '../../catalog/types.js';
import type { DbLink } from './db-link.js';

export class TargetTables {
  private catalog?: Map<string, Table>;

  constructor(private readonly link: DbLink) {}

  async all(refresh = false): Promise<Map<string, Table>> {
    if (!this.catalog || refresh) {
      const catalog = await this.link.source.introspect();
      this.catalog = new Map(catalog.tables.map((t) => [t.name.toLowerCase(), t]));
    }
    return this.catalog;
  }
}
