// The kvjson: target kind: files for `wrangler kv bulk put`, with a manifest.
import type { TargetKind } from '../target-kind.js';
import { kvjsonTarget } from './kvjson-target.js';

export const kvjsonKind: TargetKind = {
  scheme: 'kvjson',
  form: 'kvjson:<dir> (files for wrangler kv bulk put)',
  takes: ['keyspace'],
  options: [],
  create: (dir, o) => kvjsonTarget(dir, o.cwd),
};
