// Which KV namespace `kv:<BINDING>` means, and where its local state lives: the same namespace
// id and persist root `wrangler kv key get --binding <BINDING> --local` and `wrangler dev` use.
import path from 'node:path';
import { UserError } from '../../errors.js';
import { findWranglerConfig, type KvNamespaceConfig } from '../d1-local/wrangler-config.js';

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
  // wrangler: --persist-to resolves against cwd; otherwise <config dir>/.wrangler/state; then v3/.
  const root = o.persistTo !== undefined ? path.resolve(cwd, o.persistTo) : path.join(path.dirname(config.path), '.wrangler', 'state');
  return { binding: ns.binding, id: ns.id ?? ns.preview_id ?? ns.binding, config: ns, configPath: config.path, persistRoot: path.join(root, 'v3') };
}
