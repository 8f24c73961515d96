// A PostgreSQL client for one piece of test setup, always closed.
import pg from 'pg';
import { pgUrl } from './env.js';

export async function withPg<T>(db: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(pgUrl(db));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops `name` (disconnecting its sessions) and creates it empty, then runs `setup` in it. */
export async function freshPgDatabase(name: string, setup: readonly string[] = []): Promise<void> {
  await withPg('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  await withPg(name, async (c) => {
    for (const sql of setup) await c.query(sql);
  });
}

export const dropPgDatabase = (name: string) => withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
