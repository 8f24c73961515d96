// The MySQL/MariaDB source kind, registered in sources/registry.ts. mysql2 is imported only
// when a mysql:// or mariadb:// source is opened.
import type { Source, SourceEngine } from '../source.js';

export const mysqlEngine: SourceEngine<Source> = {
  engine: 'mysql',
  forms: ['mysql://…', 'mariadb://…'],
  accepts: (spec) => /^(mysql|mariadb):\/\//i.test(spec.trim()),
  open: async (spec) => (await import('./mysql-source.js')).MysqlSource.open(spec.trim()),
};
