// Connecting to MySQL/MariaDB: the URL, the driver options that make every value arrive
// lossless, the session settings every connection runs first, and connection failures as
// one-line UserErrors.
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, Pool, PoolConnection } from 'mysql2/promise';
import type { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConnectionLostError, UserError, redactUrl } from '../../errors.js';
import { STALLED, endAndClose, stallTimeoutMs, watchSocket } from '../stall-watch.js';
import { decodeUrlPart } from '../source-password.js';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** The URL as given, password removed. */
  display: string;
  ssl?: boolean;
}

/** What we use of mysql2's callback-style connection (streaming lives only there). */
export interface CoreConnection {
  threadId: number | null;
  /** Fatal connection errors (lost connection) reach only here, not a streaming query. */
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
  query(options: { sql: string; values?: unknown[]; rowsAsArray?: boolean }): CoreQuery;
  pause(): void;
  resume(): void;
}

export interface CoreQuery extends EventEmitter {
  stream(options?: { highWaterMark?: number }): Readable;
}

/**
 * Session settings run on every connection before anything else:
 * - time_zone UTC, so TIMESTAMP values (stored in UTC) are printed in UTC;
 * - a fixed sql_mode without NO_ZERO_DATE/NO_ZERO_IN_DATE (zero dates must be readable and
 *   comparable in a resume WHERE), without ANSI_QUOTES (we quote with backticks), without
 *   PAD_CHAR_TO_FULL_LENGTH (CHAR values keep their stored form) and without MariaDB's
 *   EMPTY_STRING_IS_NULL/ORACLE modes, whatever the server's global mode is;
 * - net_write_timeout of an hour: while the consumer writes a batch to a slow target the stream
 *   is paused, the server's write blocks, and after net_write_timeout (default 60 s) the server
 *   would drop the connection in the middle of the table.
 */
export const SESSION_SETUP = "SET time_zone = '+00:00', sql_mode = 'NO_ENGINE_SUBSTITUTION', net_write_timeout = 3600";

export function parseMysqlUrl(spec: string): MysqlTarget {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UserError(`'${redactUrl(spec)}' is not a valid URL; use mysql://user:password@host:3306/database`);
  }
  const database = decodeUrlPart(url.pathname.replace(/^\//, ''), 'database name');
  if (!database || database.includes('/')) {
    throw new UserError(
      `no database in '${redactUrl(spec)}': name one in the URL path, e.g. mysql://user@${url.host || 'localhost'}/mydb`,
    );
  }
  const ssl = url.searchParams.get('ssl') ?? url.searchParams.get('sslmode');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : 3306,
    user: decodeUrlPart(url.username, 'user name') || 'root',
    password: url.password ? decodeUrlPart(url.password, 'password') : undefined,
    database,
    display: redactUrl(spec),
    ssl: ssl !== null && !/^(false|0|disable|disabled)$/i.test(ssl),
  };
}

/**
 * JSON stays the text the server holds (never parsed and re-serialized: key order, number
 * precision and duplicate keys survive): jsonStrings, for MySQL's JSON type and for MariaDB's
 * (LONGTEXT marked json in the extended metadata), reads it as UTF-8 text. BIT arrives with the
 * binary charset and so as a Buffer, like BINARY, VARBINARY and BLOB. With the options below
 * BIGINT, DECIMAL and dates are strings. No typeCast function: with one, mysql2 calls it through
 * a new closure for every value read, for values these options already give
 * (test/mysql-row-values.test.ts compares both on the datasets).
 */
export function connectionOptions(t: MysqlTarget): ConnectionOptions {
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    connectTimeout: 10_000,
    ...(t.ssl ? { ssl: {} } : {}),
  };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a refused dual-stack connect as an AggregateError of per-address errors.
  const inner = (e as { errors?: unknown[] }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
}

/** A connection failure as a one-line UserError; anything else is returned unchanged. */
export function connectError(e: unknown, t: MysqlTarget): unknown {
  const code = errorCode(e);
  const where = `${t.host}:${t.port}`;
  if (code && UNREACHABLE.has(code)) {
    return new UserError(`cannot reach MySQL at ${where} (${code}): is the server running, and are host and port right in ${t.display}?`);
  }
  switch (code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new UserError(
        `MySQL at ${where} refused user '${t.user}' ${t.password ? 'with the password given' : 'without a password'}: wrong user or password; fix the credentials in the URL`,
      );
    case 'ER_BAD_DB_ERROR':
      return new UserError(`database '${t.database}' does not exist on MySQL at ${where}; list the databases with SHOW DATABASES and fix the URL path`);
    case 'ER_DBACCESS_DENIED_ERROR':
      return new UserError(`user '${t.user}' may not use database '${t.database}' on MySQL at ${where}; GRANT SELECT on it or use another user`);
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return new UserError(`MySQL at ${where} does not support SSL; remove ssl from ${t.display}`);
  }
  if (code && /^(PROTOCOL_|HANDSHAKE_)/.test(code)) {
    return new UserError(`cannot talk to MySQL at ${where} (${code}): is it a MySQL/MariaDB server? Check the port in ${t.display}`);
  }
  return e;
}

const LOST = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED', 'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** A connection lost mid-run (KILL, a restart, a reset, a stall) as one line; anything else unchanged. */
export function lostError(e: unknown, t: MysqlTarget): unknown {
  const code = errorCode(e);
  const where = `${t.host}:${t.port}`;
  if (code === STALLED) return new ConnectionLostError(`MySQL at ${where} stopped answering: nothing received for ${stallTimeoutMs() / 1000}s while a query ran (--stall-timeout)`);
  if (code && LOST.has(code)) {
    const message = ((e as Error).message ?? '').split('\n')[0];
    return new ConnectionLostError(`lost the connection to MySQL at ${where} (${code}): ${message}`);
  }
  return e;
}

/** A query is waiting on the server (mysql2 runs one command at a time; a paused stream is not waiting). */
function watch(core: CoreConnection): void {
  const c = core as unknown as { stream?: Socket; _command?: unknown };
  watchSocket(c.stream, () => c._command != null);
}

const prepared = new WeakSet<object>();

/** A pooled connection with the session settings applied (once per physical connection). */
export async function acquire(pool: Pool): Promise<PoolConnection> {
  const conn = await pool.getConnection();
  const core = coreOf(conn);
  if (!prepared.has(core)) {
    watch(core);
    try {
      await conn.query(SESSION_SETUP);
    } catch (e) {
      conn.destroy();
      throw e;
    }
    prepared.add(core);
  }
  return conn;
}

/** A dedicated connection (snapshot readers, the lock holder) with the session settings applied. */
export async function connectOne(t: MysqlTarget): Promise<Connection> {
  let conn: Connection;
  try {
    conn = await mysql.createConnection(connectionOptions(t));
  } catch (e) {
    throw connectError(e, t);
  }
  // An idle connection the server closes emits 'error'; unheard it would crash the process. The
  // next query on it fails instead, where the caller can handle it.
  conn.on('error', () => undefined);
  watch(coreOf(conn));
  await conn.query(SESSION_SETUP);
  return conn;
}

export function createPool(t: MysqlTarget): Pool {
  return mysql.createPool({ ...connectionOptions(t), connectionLimit: 8, maxIdle: 2 });
}

/** Ends a connection, destroying it if the server does not answer within the bound (stall-watch.ts). */
export function endConnection(conn: Connection): Promise<void> {
  const socket = (coreOf(conn) as unknown as { stream?: Socket }).stream;
  return endAndClose(conn.end(), socket ? [socket] : []);
}

/** Ends a pool the same way: a stalled server must not keep the process waiting. */
export function endPool(pool: Pool): Promise<void> {
  const all = (pool as unknown as { pool?: { _allConnections?: { length: number; get(i: number): { stream?: Socket } } } }).pool?._allConnections;
  const sockets: Socket[] = [];
  for (let i = 0; all && i < all.length; i++) {
    const s = all.get(i).stream;
    if (s) sockets.push(s);
  }
  return endAndClose(pool.end(), sockets);
}

/** mysql2's promise wrappers keep the callback-style connection in `.connection`. */
export function coreOf(conn: Connection | PoolConnection): CoreConnection {
  return (conn as unknown as { connection: CoreConnection }).connection;
}
