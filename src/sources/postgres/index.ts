// The PostgreSQL source kind, registered in sources/registry.ts. pg is imported only when a
// postgres:// source is opened.
import type { Source, SourceEngine } from '../source.js';

export const postgresEngine: SourceEngine<Source> = {
  engine: 'postgres',
  forms: ['postgres://…'],
  accepts: (spec) => /^postgres(ql)?:\/\//i.test(spec.trim()),
  open: async (spec) => (await import('./postgres-source.js')).PostgresSource.open(spec.trim()),
};
