// A PostgreSQL or MySQL database as a copy target: the way back from D1 (rollback), into the
// original schema when its tables exist, else into tables made from D1's. The driver and the
// engine's source modules are imported only when the target is opened or read.
import { redactUrl } from '../../errors.js';
import type { Target, TargetCapabilities } from '../target.js';
import type { DbLink } from './db-link.js';

const GIB = 1024 ** 3;

async function connect(engine: 'postgres' | 'mysql', url: string): Promise<DbLink> {
  return engine === 'postgres' ? (await import('./pg-link.js')).openPgLink(url) : (await import('./mysql-link.js')).openMysqlLink(url);
}

export function sqlDbTarget(engine: 'postgres' | 'mysql', url: string): Target {
  const where = `${engine === 'postgres' ? 'PostgreSQL' : 'MySQL'} ${redactUrl(url)}`;
  const capabilities: TargetCapabilities = {
    limitsOf: engine === 'postgres' ? 'PostgreSQL' : 'MySQL',
    maxValueBytes: GIB,
    maxRowBytes: GIB,
    maxBoundParameters: 65_535,
    constraintErrors: 'per-row',
    foreignKeys: 'check-after-load',
  };
  return {
    kind: engine,
    description: where,
    capabilities,
    async open() {
      const { DbSession } = await import('./db-session.js');
      return new DbSession(await connect(engine, url), where);
    },
    async reader() {
      const { openDbReader } = await import('./db-reader.js');
      const link = await connect(engine, url);
      try {
        return await openDbReader(link, where);
      } catch (e) {
        await link.close();
        throw e;
      }
    },
  };
}
