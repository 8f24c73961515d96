// The Redis source kind: `redis://[:password@]host:port[/db]` and `rediss://` (TLS), options in
// the query (redis-rules.ts). ioredis is imported only when such a source is opened.
import type { SourceEngine } from '../source.js';
import type { UnitSource } from '../unit-source.js';
import { REDIS_URL } from './redis-url.js';

export const redisEngine: SourceEngine<UnitSource> = {
  engine: 'redis',
  forms: ['redis://[:password@]host:port[/db][?match=…]', 'rediss://… (TLS)'],
  accepts: (spec: string) => REDIS_URL.test(spec.trim()),
  async open(spec: string) {
    return (await import('./redis-source.js')).RedisSource.open(spec);
  },
};
