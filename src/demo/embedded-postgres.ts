// A real PostgreSQL with no server to install: PGlite (Postgres compiled to WebAssembly) loaded
// with a SQL script and served on a loopback port through pglite-socket, so the ordinary
// postgres:// source reads it exactly as it reads any server.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  stop(): Promise<void>;
}

/** psql meta-commands and database switches that a script for psql carries; PGlite has one database. */
const PSQL_ONLY = /^(\\|DROP DATABASE|CREATE DATABASE)/;

export async function startEmbeddedPostgres(scriptFile: string): Promise<EmbeddedPostgres> {
  // Loaded on demand: only the demo needs the WebAssembly build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const script = readFileSync(scriptFile, 'utf8')
    .split('\n')
    .filter((line) => !PSQL_ONLY.test(line))
    .join('\n');
  await db.exec(script);
  // Planner statistics, so the plan's row estimates are real.
  await db.exec('ANALYZE');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = (server as unknown as { server?: { address(): AddressInfo } }).server?.address();
  if (!address) throw new Error('embedded PostgreSQL did not report its port');
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
