// The PostgreSQL source engine, as listed in sources/registry.ts.
import type { SourceEngine } from '../source.js';
import { PostgresSource } from './postgres-source.js';

export const postgresEngine: SourceEngine = {
  engine: 'postgres',
  accepts: (spec) => /^postgres(ql)?:\/\//i.test(spec.trim()),
  open: (spec) => PostgresSource.open(spec.trim()),
};

export { PostgresSource, PostgresSnapshot } from './postgres-source.js';
export { POSTGRES_CAST_RULES } from './postgres-cast-rules.js';
export { pgUserError, describeTarget } from './postgres-connection.js';
