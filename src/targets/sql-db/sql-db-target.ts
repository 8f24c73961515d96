// A PostgreSQL or MySQL database as a copy target: the way back from D1 (rollback), into the
// original schema when its tables exist, else into tables made from D1's. The driver and the
// engine's source modules are imported only when the target is opened or read.
import { UserError, redactUrl } from '../../errors.js';
import type { Target, TargetCapabilities } from '../target.js';
import type { DbLink } from './db-link.js';

const GIB = 1024 ** 3;

async function connect(engine: 'postgres' | 'mysql', url: string): Promise<DbLink> {
  return engine === 'postgres' ? (await import('./pg-link.js')).openPgLink(url) : (await import('./mysql-link.js')).openMysqlLink(url);
}

export function sqlDbTarget(engine: 'postgres' | 'mysql', url: string): Target {
  const lockKind = engine === 'postgres' ? 'advisory lock' : 'named lock (GET_LOCK)';
  const where = `${engine === 'postgres' ? 'PostgreSQL' : 'MySQL'} ${redactUrl(url)}`;
  const capabilities: TargetCapabilities = {
    limitsOf: engine === 'postgres' ? 'PostgreSQL' : 'MySQL',
    maxValueBytes: GIB,
    maxRowBytes: GIB,
    maxBoundParameters: 65_535,
    constraintErrors: 'per-row',
    foreignKeys: 'check-after-load',
  };
  /** Sync sessions of this target open in this process (they hold the writer lock). */
  let syncing = 0;
  /** The writing connection, holding the writer lock (refused in one line when another holds it). */
  const lockedLink = async () => {
    const link = await connect(engine, url);
    try {
      if (!(await link.tryLock())) throw new UserError(`${where} is being written by another flarelift (it holds the ${lockKind} on the database): wait for it to finish`);
    } catch (e) {
      await link.close();
      throw e;
    }
    return link;
  };
  return {
    kind: engine,
    description: where,
    capabilities,
    // One writer per target: a session-level lock in the database itself (no file to put beside
    // it), held on the writing connection for the run and gone with it, even after kill -9.
    async open() {
      const { DbSession } = await import('./db-session.js');
      const link = await lockedLink();
      return new DbSession(link, where);
    },
    // The same writer lock as copy's; the session's changes go through the inverse transforms.
    async sync() {
      const { DbSync } = await import('./db-sync.js');
      const link = await lockedLink();
      syncing++;
      const session = new DbSync(link, where);
      const close = session.close.bind(session);
      let closed = false;
      session.close = async () => {
        if (!closed) {
          closed = true;
          syncing--;
        }
        await close();
      };
      return session;
    },
    async reader() {
      const { openDbReader } = await import('./db-reader.js');
      const link = await connect(engine, url);
      try {
        // A sync reads the target it holds the lock of (to compare): only others' locks refuse.
        if (syncing === 0 && !(await link.lockFree())) throw new UserError(`${where} is being written by another flarelift (it holds the ${lockKind} on the database): verify once that copy has finished`);
        return await openDbReader(link, where);
      } catch (e) {
        await link.close();
        throw e;
      }
    },
  };
}
