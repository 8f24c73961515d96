// Opening ioredis (imported here, lazily: only commands reading Redis load it) with the errors a
// user can fix turned into one line each, and a connection lost mid-run (CLIENT KILL, a restart,
// a reset, a server or proxy that stops answering) turned into one ConnectionLostError.
//
// A lost connection is not reconnected: the copy fails in one line and --resume finishes it. A
// reconnect could carry on SCAN safely (its cursor is stateless), but a pipeline cut in the middle
// answers some commands and errors others, and a killed connection is often an operator's choice.
import { isIP, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { ConnectionLostError, UserError } from '../../errors.js';
import { STALLED, endWithin, stallTimeoutMs, watchSocket } from '../stall-watch.js';
import type { RedisLocation } from './redis-url.js';

const CONNECT_TIMEOUT_MS = 5_000;

export async function connectRedis(loc: RedisLocation): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient({
    host: loc.host,
    port: loc.port,
    db: loc.db,
    username: loc.username,
    password: loc.password,
    // SNI names a host; an IP address is not one (RFC 6066), and Node warns on stderr if given one.
    tls: loc.tls ? (isIP(loc.host) ? {} : { servername: loc.host }) : undefined,
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A migration tool fails fast instead of retrying forever: one attempt, errors surface.
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket's own error (ECONNREFUSED, …) comes as an event; connect() then only says
  // "Connection is closed". Keep the first for the message.
  let socketError: Error | undefined;
  const onConnectError = (e: Error) => (socketError ??= e);
  client.on('error', onConnectError);
  try {
    await client.connect();
    await client.ping();
    // ioredis selects the database while connecting but only reports a failure as an event, and
    // would go on reading database 0: select it again, so an index the server lacks is an error.
    if (loc.db !== 0) await client.select(loc.db);
  } catch (e) {
    client.disconnect();
    throw connectError((socketError ?? e) as Error & { code?: string }, loc);
  }
  // From here on a socket error is a lost connection; keep it for the line the user sees.
  const lost: { error?: Error & { code?: string } } = {};
  client.removeListener('error', onConnectError);
  client.on('error', (e: Error) => (lost.error ??= e));
  state.set(client, lost);
  // Waiting: a command sent and not yet answered (ioredis queues them until their reply).
  const queue = (client as unknown as { commandQueue?: { length: number } }).commandQueue;
  watchSocket((client as unknown as { stream?: Socket }).stream, () => (queue?.length ?? 0) > 0);
  return client;
}

const state = new WeakMap<Redis, { error?: Error & { code?: string } }>();

/** ioredis's own words for a command that met a closed connection or was cut by one. */
const LOST_MESSAGE = /Connection is closed|Stream isn't writeable|Connection in subscriber mode|Command timed out/i;

/** Whether `e` (a command's error, or one reply of a pipeline) means the connection is gone. */
export function isLostConnection(client: Redis, e: unknown): boolean {
  if (e instanceof ConnectionLostError) return true;
  if (client.status !== 'ready') return true;
  return LOST_MESSAGE.test((e as Error | undefined)?.message ?? '');
}

/** The one-line error for a connection lost mid-run, or `e` itself when it is something else. */
export function redisRunError(client: Redis, e: unknown, loc: RedisLocation): unknown {
  if (e instanceof UserError || !isLostConnection(client, e)) return e;
  const cause = state.get(client)?.error;
  const where = loc.description;
  if (cause?.code === STALLED) return new ConnectionLostError(`Redis at ${where} stopped answering: nothing received for ${stallTimeoutMs() / 1000}s while a command waited (--stall-timeout)`);
  const why = cause?.code ?? (cause ? cause.message.split('\n')[0] : 'the server closed it (CLIENT KILL, a restart, or its timeout)');
  return new ConnectionLostError(`lost the connection to Redis at ${where}: ${why}`);
}

/** QUIT and wait for the close, but not on a server that stopped answering (endWithin). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await endWithin(client.quit(), () => client.disconnect());
}

function connectError(e: Error & { code?: string }, loc: RedisLocation): Error {
  const where = loc.description;
  const msg = e.message ?? '';
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return new UserError(`cannot connect to Redis at ${where}: connection refused — is redis-server running on ${loc.host}:${loc.port}?`);
  if (e.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return new UserError(`cannot connect to Redis at ${where}: unknown host '${loc.host}' — check the URL`);
  if (e.code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg)) return new UserError(`cannot connect to Redis at ${where}: timed out — check the host, port and firewall (rediss:// for TLS servers)`);
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH.*without any password/i.test(msg)) {
    return new UserError(`Redis at ${where} refused the password — give the right one as redis://:password@host:port`);
  }
  if (/DB index is out of range|invalid DB index/i.test(msg)) return new UserError(`Redis at ${where} has no database ${loc.db} — give an index the server has (databases in redis.conf)`);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(e.code ?? '') || /certificate/i.test(msg)) {
    return new UserError(`Redis at ${where}: its TLS certificate is not trusted (${e.code ?? msg}) — give Node its CA with NODE_EXTRA_CA_CERTS=<ca.pem>, or check the host name`);
  }
  if (/wrong version number|SSL|TLS|EPROTO/i.test(msg)) return new UserError(`TLS handshake with ${where} failed — use redis:// for a server without TLS, rediss:// with TLS`);
  return e;
}
