// The KV targets a keyspace copies into: `kv:<BINDING>` (local; --remote for Cloudflare's KV
// through wrangler) and `kvjson:<dir>`. Parsed here, beside the table targets' registry.
import { UserError } from '../errors.js';
import type { KvTarget } from '../targets/kv/kv-target.js';

export interface KvTargetOptions {
  remote?: boolean;
  config?: string;
  persistTo?: string;
  cwd?: string;
}

export const KV_TARGETS = 'kv:<BINDING> (the local KV namespace; --remote for the deployed one) or kvjson:<dir>';

export function isKvTarget(spec: string): boolean {
  return /^(kv|kvjson):/i.test(spec.trim());
}

export async function parseKvTarget(spec: string, o: KvTargetOptions): Promise<KvTarget> {
  const m = /^([a-z]+):(.*)$/i.exec(spec.trim());
  const kind = m?.[1].toLowerCase();
  const rest = m?.[2] ?? '';
  if (!m || (kind !== 'kv' && kind !== 'kvjson')) throw new UserError(`a Redis source copies into ${KV_TARGETS}, not '${spec}'`);
  if (rest === '') throw new UserError(`target '${spec}' names nothing after '${kind}:': use ${KV_TARGETS}`);
  if (kind === 'kvjson') {
    if (o.remote) throw new UserError('--remote applies to kv:<BINDING> targets, not kvjson:');
    if (o.persistTo !== undefined) throw new UserError('--persist-to applies to local kv:<BINDING> targets only');
    const { kvjsonTarget } = await import('../targets/kvjson/kvjson-target.js');
    return kvjsonTarget(rest, o.cwd);
  }
  if (o.remote) {
    if (o.persistTo !== undefined) throw new UserError('--persist-to applies to local kv:<BINDING> targets only');
    const { kvRemoteTarget } = await import('../targets/kv/kv-remote-target.js');
    return kvRemoteTarget({ binding: rest, config: o.config, cwd: o.cwd });
  }
  const { kvLocalTarget } = await import('../targets/kv/kv-local-target.js');
  return kvLocalTarget({ binding: rest, config: o.config, persistTo: o.persistTo, cwd: o.cwd });
}
