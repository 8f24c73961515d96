// Miniflare options for a bundled Worker project, read from its wrangler config: the same
// bindings, classes, vars and flags wrangler dev would give it. Used to measure startup and by
// the tests that run the generated Worker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsonc from 'jsonc-parser';
import type { MiniflareOptions } from 'miniflare';

type Binding = { binding: string; id?: string; database_id?: string; database_name?: string; bucket_name?: string };

interface WorkerConfig {
  name?: string;
  compatibility_date?: string;
  compatibility_flags?: string[];
  vars?: Record<string, unknown>;
  kv_namespaces?: Binding[];
  d1_databases?: Binding[];
  r2_buckets?: Binding[];
  durable_objects?: { bindings?: { name: string; class_name: string; script_name?: string }[] };
}

export async function readWorkerConfig(configFile: string): Promise<WorkerConfig> {
  const text = readFileSync(configFile, 'utf8');
  if (configFile.endsWith('.toml')) return (await import('smol-toml')).parse(text) as WorkerConfig;
  return (jsonc.parse(text, [], { allowTrailingComma: true }) ?? {}) as WorkerConfig;
}

const byBinding = (list: Binding[] | undefined, id: (b: Binding) => string | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).map((b) => [b.binding, id(b) ?? b.binding]));

/** Options for the bundle `script` (wrangler's --outdir output) of the project configured by `configFile`. */
export async function miniflareOptions(configFile: string, script: string, extra: Partial<MiniflareOptions> = {}): Promise<MiniflareOptions> {
  const c = await readWorkerConfig(configFile);
  const dos = (c.durable_objects?.bindings ?? []).filter((d) => !d.script_name);
  return {
    name: c.name,
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    compatibilityDate: c.compatibility_date,
    compatibilityFlags: c.compatibility_flags,
    bindings: Object.fromEntries(Object.entries(c.vars ?? {}).map(([k, v]) => [k, v as string])),
    kvNamespaces: byBinding(c.kv_namespaces, (b) => b.id),
    d1Databases: byBinding(c.d1_databases, (b) => b.database_id ?? b.database_name),
    r2Buckets: byBinding(c.r2_buckets, (b) => b.bucket_name),
    durableObjects: Object.fromEntries(dos.map((d) => [d.name, d.class_name])),
    ...extra,
  } as MiniflareOptions;
}
