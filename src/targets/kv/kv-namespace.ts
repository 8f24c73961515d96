// Which KV namespace `kv:<BINDING>` means, and where its local state lives: the same namespace
// id and persist root `wrangler kv key get --binding <BINDING> --local` and `wrangler dev` use.
import path from 'node:path';
import { localStateRoot } from '../../cloudflare/local-state.js';
import { findWranglerConfig, type KvNamespaceConfig } from '../../cloudflare/wrangler-config.js';
import { UserError } from '../../errors.js';

export interface KvNamespaceLocation {
  binding: string;
  /** The namespace id Miniflare stores it under: `id`, else `preview_id`, else the binding (as wrangler dev). */
  id: string;
  config: KvNamespaceConfig;
  configPath: string;
  /** Miniflare's defaultPersistRoot: `<persist-to or config dir/.wrangler/state>/v3`. */
  persistRoot: string;
}

export function locateKvNamespace(o: { binding: string; config?: string; persistTo?: string; cwd?: string }): KvNamespaceLocation {
  const cwd = o.cwd ?? process.cwd();
  const config = findWranglerConfig({ config: o.config, cwd });
  const file = path.basename(config.path);
  if (config.kvNamespaces.length === 0) {
    throw new UserError(`no kv_namespaces in ${config.path} — add a KV binding (wrangler kv namespace create <name> prints one) or pass --config`);
  }
  const ns = config.kvNamespaces.find((n) => n.binding === o.binding);
  if (!ns) throw new UserError(`no KV binding '${o.binding}' in ${file}; it has: ${config.kvNamespaces.map((n) => n.binding).join(', ')}`);
  return { binding: ns.binding, id: ns.id ?? ns.preview_id ?? ns.binding, config: ns, configPath: config.path, persistRoot: localStateRoot(config.path, o.persistTo, cwd) };
}
