// The kv: target kind: the local KV namespace of the wrangler project (through Miniflare), or
// with --remote Cloudflare's KV through the user's wrangler (bulk files).
import { UserError } from '../../errors.js';
import type { TargetKind } from '../target-kind.js';
import { kvLocalTarget } from './kv-local-target.js';
import { kvRemoteTarget } from './kv-remote-target.js';

export const kvKind: TargetKind = {
  scheme: 'kv',
  form: 'kv:<BINDING> (local KV namespace; add --remote for the deployed one)',
  takes: ['keyspace'],
  options: ['config', 'persistTo', 'remote'],
  create(binding, o) {
    if (o.remote) {
      if (o.persistTo !== undefined) throw new UserError('--persist-to applies to local kv:<BINDING> targets only');
      return kvRemoteTarget({ binding, config: o.config, cwd: o.cwd });
    }
    return kvLocalTarget({ binding, config: o.config, persistTo: o.persistTo, cwd: o.cwd });
  },
};
