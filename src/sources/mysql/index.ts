// The MySQL/MariaDB source engine, listed once in sources/registry.ts.
import type { SourceEngine } from '../source.js';
import { MysqlSource } from './mysql-source.js';

export const mysqlEngine: SourceEngine = {
  engine: 'mysql',
  accepts: (spec) => /^(mysql|mariadb):\/\//i.test(spec.trim()),
  open: (spec) => MysqlSource.open(spec.trim()),
};

export { MYSQL_CAST_RULES } from './mysql-cast-rules.js';
