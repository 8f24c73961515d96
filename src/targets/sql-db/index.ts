// The postgres://, postgresql://, mysql:// and mariadb:// target kinds: a reverse copy from D1
// (`copy --from d1:<db> --to postgres://…`). No driver is imported here.
import type { TargetKind } from '../target-kind.js';
import { sqlDbTarget } from './sql-db-target.js';

function kind(scheme: string, engine: 'postgres' | 'mysql'): TargetKind {
  return {
    scheme,
    form: `${scheme}://… (back from D1 into ${engine === 'postgres' ? 'PostgreSQL' : 'MySQL'})`,
    takes: ['table'],
    options: [],
    create: (rest) => sqlDbTarget(engine, `${scheme}:${rest}`),
  };
}

export const sqlDbKinds: readonly TargetKind[] = [kind('postgres', 'postgres'), kind('postgresql', 'postgres'), kind('mysql', 'mysql'), kind('mariadb', 'mysql')];
