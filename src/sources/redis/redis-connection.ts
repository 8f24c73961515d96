// Opening ioredis (imported here, lazily: only commands reading Redis load it) with the errors a
// user can fix turned into one line each.
import { isIP } from 'node:net';
import type { Redis } from 'ioredis';
import { UserError } from '../../errors.js';
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
  client.on('error', (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw connectError((socketError ?? e) as Error & { code?: string }, loc);
  }
  return client;
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
