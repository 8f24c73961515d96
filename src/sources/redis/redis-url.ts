// `redis://[:password@]host:port[/db]` and `rediss://` (TLS): what the user gave, as connection
// options and as a description with the password removed.
import { UserError, redactUrl } from '../../errors.js';
import { decodeUrlPart } from '../source-password.js';
import { redisRules, type RedisRules } from './redis-rules.js';

export const REDIS_URL = /^rediss?:\/\//i;

export interface RedisLocation {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with any password replaced by ***. */
  description: string;
  /** match, prefix, types, skip and short-ttl from the query. */
  rules: RedisRules;
}

export function parseRedisUrl(spec: string): RedisLocation {
  const description = redactUrl(spec);
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UserError(`cannot read the Redis URL '${description}': write it as redis://[:password@]host:port[/db] or rediss://… for TLS`);
  }
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isSafeInteger(db) || db < 0) {
    throw new UserError(`Redis database '${dbText}' in '${description}' is not a number: give the index after the port, e.g. redis://host:6379/2`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    db,
    username: url.username ? decodeUrlPart(url.username, 'user name') : undefined,
    password: url.password ? decodeUrlPart(url.password, 'password') : undefined,
    tls: url.protocol.toLowerCase() === 'rediss:',
    description,
    rules: redisRules(url.searchParams),
  };
}
