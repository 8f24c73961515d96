// Connecting to PostgreSQL: pools with per-client type parsers and session settings, and the
// mapping of connection failures to one-line UserErrors.
import pg from 'pg';
import type { CustomTypesConfig, PoolClient } from 'pg';
import type { Socket } from 'node:net';
import { ConnectionLostError, UserError, redactUrl } from '../../errors.js';
import { STALLED, endAndClose, stallTimeoutMs, watchSocket } from '../stall-watch.js';
import { decodeUrlPart } from '../source-password.js';

/** Where a URL points, for messages (never the password). */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The URL with its password removed. */
  display: string;
}

export function describeTarget(spec: string): PgTarget {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UserError(`invalid PostgreSQL URL '${redactUrl(spec)}': use postgres://user[:password]@host[:port]/database`);
  }
  // pg falls back to the same environment variables for what the URL leaves out.
  decodeUrlPart(url.password, 'password'); // pg decodes it later, with a raw stack on failure
  const user = decodeUrlPart(url.username, 'user name') || process.env.PGUSER || process.env.USER || 'postgres';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || url.searchParams.get('host') || process.env.PGHOST || 'localhost',
    port: Number(url.port || process.env.PGPORT || 5432),
    database: decodeUrlPart(url.pathname.replace(/^\//, ''), 'database name') || process.env.PGDATABASE || user,
    user,
    display: redactUrl(spec),
  };
}

// Parsers per client (never pg's global registry, which other code may change): only types whose
// JS value is exact become JS values; everything else stays the server's text so the casting
// transforms see lossless text (int8, numeric, temporals, json, uuid, enums, inet, ...).
const OID = { bool: 16, bytea: 17, int2: 21, int4: 23, oid: 26, float4: 700, float8: 701 } as const;
const identity = (text: string): string => text;
const parseIntText = (text: string): number => Number.parseInt(text, 10);
const parseFloatText = (text: string): number => Number.parseFloat(text);
const parseBool = (text: string): boolean => text === 't' || text === 'true';

/** bytea in the hex output format (bytea_output = 'hex' is set per session). */
export function parseBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  // Escape format, in case a server ignores bytea_output: octal escapes and doubled backslashes.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '\\') {
      bytes.push(0x5c);
      i++;
    } else if (text[i] === '\\') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(text[i], 'latin1'));
    }
  }
  return Buffer.from(bytes);
}

const PARSERS = new Map<number, (text: string) => unknown>([
  [OID.bool, parseBool],
  [OID.bytea, parseBytea],
  [OID.int2, parseIntText],
  [OID.int4, parseIntText],
  [OID.oid, parseIntText],
  [OID.float4, parseFloatText],
  [OID.float8, parseFloatText],
]);

/** The parser PG_TYPES applies to a type's text, or undefined when the text is kept as is. */
export function textParser(oid: number): ((text: string) => unknown) | undefined {
  return PARSERS.get(oid);
}

export const PG_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number) => PARSERS.get(oid) ?? identity) as CustomTypesConfig['getTypeParser'],
};

/** Settings every session runs first, so text forms are the ones the transforms expect. */
export const SESSION_SETUP =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; " +
  "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'";

const CONNECT_TIMEOUT_MS = 10_000; // long enough for a remote server, short enough to fail clearly

/** A client lent by a PgPool; release it exactly once (later calls are ignored). */
export interface PgLease {
  readonly client: PoolClient;
  /** `destroy` for a client that failed mid-protocol and must not be reused. */
  release(destroy?: boolean): void;
}

/**
 * A pg Pool behind a slot count of its own: pg-pool applies connectionTimeoutMillis to waiting
 * for a free client too, and a reader queued behind a long table read must wait, not fail.
 * With the slots taken first, the pool's timeout only ever covers opening a connection.
 */
export class PgPool {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly initialized = new WeakSet<PoolClient>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly max: number,
    private readonly target: PgTarget,
  ) {}

  async acquire(): Promise<PgLease> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve)); // free() hands its slot over
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      this.free();
      throw pgUserError(e, this.target) ?? e;
    }
    let released = false;
    const lease: PgLease = {
      client,
      release: (destroy = false) => {
        if (released) return;
        released = true;
        client.release(destroy);
        this.free();
      },
    };
    if (!this.initialized.has(client)) {
      // A leased client whose server goes away emits 'error' (pg_terminate_backend, a reset);
      // unheard it would crash the process. The query waiting on it fails with the same error.
      client.on('error', () => undefined);
      watchSocket((client as unknown as { connection?: { stream?: Socket } }).connection?.stream, () => waitingOnServer(client));
      try {
        await client.query(SESSION_SETUP);
      } catch (e) {
        lease.release(true);
        throw pgUserError(e, this.target) ?? e;
      }
      this.initialized.add(client);
    }
    return lease;
  }

  private free(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }

  /**
   * Ends the pool; pg-pool resolves before the sockets close, which a stalled server would
   * keep open: endAndClose waits for them within a bound.
   */
  async end(): Promise<void> {
    const clients = (this.pool as unknown as { _clients?: { connection?: { stream?: Socket } }[] })._clients ?? [];
    await endAndClose(
      this.pool.end(),
      clients.flatMap((c) => (c.connection?.stream ? [c.connection.stream] : [])),
    );
  }
}

/**
 * sslmode with libpq's meaning (require = encrypted, not verified; verify-full = verified), which
 * pg adopts in its next major: asking for it now also spares the user pg's nine-line warning.
 */
function libpqSslModes(spec: string): string {
  if (!/[?&]sslmode=/i.test(spec) || /[?&]uselibpqcompat=/i.test(spec)) return spec;
  return `${spec}&uselibpqcompat=true`;
}

/** A query is waiting on the server: a plain query in flight, or a cursor fetching (not idle between reads). */
function waitingOnServer(client: PoolClient): boolean {
  const c = client as unknown as { _activeQuery?: { state?: string } | null; _queryQueue?: unknown[] };
  const q = c._activeQuery;
  if (q) return q.state !== 'idle' && q.state !== 'done';
  return (c._queryQueue?.length ?? 0) > 0;
}

export class PgConnector {
  readonly target: PgTarget;

  constructor(private readonly spec: string) {
    this.target = describeTarget(spec);
  }

  /** A pool of at most `max` clients; clients come out of `acquire` with the session set up. */
  createPool(max: number): PgPool {
    const pool = new pg.Pool({
      connectionString: libpqSslModes(this.spec),
      keepAlive: true,
      max,
      types: PG_TYPES,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      application_name: 'flarelift',
    });
    // An idle client whose server goes away emits 'error' on the pool; without a listener that
    // would crash the process. The next acquire reports the failure instead.
    pool.on('error', () => undefined);
    return new PgPool(pool, max, this.target);
  }
}

interface ErrorLike {
  code?: string;
  message?: string;
  errors?: unknown[];
}

function errorCode(e: ErrorLike): string | undefined {
  if (e.code) return e.code;
  // Node's happy-eyeballs connect reports an AggregateError of the per-address failures.
  for (const inner of e.errors ?? []) {
    const code = (inner as ErrorLike | undefined)?.code;
    if (code) return code;
  }
  return undefined;
}

/**
 * The UserError for a failure the user can fix (server down, wrong credentials, unknown
 * database, no permission), or undefined for anything else (a bug, to be shown as such).
 */
export function pgUserError(err: unknown, target: PgTarget): UserError | undefined {
  if (err instanceof UserError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorLike;
  const code = errorCode(e);
  const at = `${target.host}:${target.port}`;
  const message = (e.message ?? '').split('\n')[0];
  switch (code) {
    case 'ECONNREFUSED':
      return new UserError(`cannot reach PostgreSQL at ${at}: connection refused — is the server running? check host/port`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot reach PostgreSQL at ${at}: host '${target.host}' not found — check the host name in the URL`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UserError(`cannot reach PostgreSQL at ${at}: ${code} — check host/port and any firewall in between`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectionLostError(`PostgreSQL at ${at} closed the connection (${code}) — check the server log (and the URL's sslmode if it happens on connecting)`);
    case STALLED:
      return new ConnectionLostError(`PostgreSQL at ${at} stopped answering: nothing received for ${stallTimeoutMs() / 1000}s while a query ran (--stall-timeout)`);
    case '57P01':
    case '57P02':
    case '08000':
    case '08003':
    case '08006':
      return new ConnectionLostError(`PostgreSQL at ${at} ended the connection: ${message}`);
    case '28P01':
      return new UserError(`password authentication failed for user '${target.user}' at ${at} — check the user and password in the URL (or PGPASSWORD)`);
    case '28000':
      return new UserError(`PostgreSQL at ${at} refused user '${target.user}': ${message} — check the user in the URL and pg_hba.conf`);
    case '3D000':
      return new UserError(`database '${target.database}' does not exist on PostgreSQL at ${at} — list the databases with psql -l and fix the URL's path`);
    case '53300':
      return new UserError(`PostgreSQL at ${at} has too many connections — close some or raise max_connections`);
    case '42501':
      return new UserError(`permission denied on PostgreSQL at ${at} for user '${target.user}': ${message} — grant the user SELECT (and USAGE on the schema)`);
    case '42P01':
      return new UserError(`PostgreSQL at ${at}: ${message} — the schema changed since it was read; run the plan again`);
    case '57P03':
      return new UserError(`PostgreSQL at ${at} is starting up or shutting down — retry in a moment`);
  }
  if (/^Connection terminated|connection is closed|Client has encountered a connection error/i.test(message)) {
    return new ConnectionLostError(`lost the connection to PostgreSQL at ${at}: ${message}`);
  }
  // pg-pool's and pg's own wording for connectionTimeoutMillis running out.
  if (/^timeout (expired|exceeded)|connection timeout/i.test(message)) {
    return new UserError(`timed out connecting to PostgreSQL at ${at} after ${CONNECT_TIMEOUT_MS / 1000}s — check host/port and that the server accepts connections`);
  }
  if (!code && /does not support SSL|SSL connection|certificate/i.test(message)) {
    return new UserError(`SSL negotiation with PostgreSQL at ${at} failed: ${message} — adjust sslmode in the URL`);
  }
  return undefined;
}
