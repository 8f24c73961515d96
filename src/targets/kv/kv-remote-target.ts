// `kv:<BINDING> --remote`: Cloudflare's KV through the user's own wrangler. Pairs are staged as
// bulk files (≤ 10,000 pairs, ≤ 100 MB) under .wrangler/state/flarelift/ and each complete file
// goes up with `wrangler kv bulk put <file> --binding <BINDING> --remote`; the manifest records
// each upload, so a resume uploads a file that was complete but not sent, then goes on.
import path from 'node:path';
import { UserError } from '../../errors.js';
import { Wrangler, findWrangler } from '../d1-remote/wrangler-cli.js';
import { BulkFiles } from './kv-bulk-files.js';
import { locateKvNamespace } from './kv-namespace.js';
import type { KvReader, KvSession, KvTarget } from './kv-target.js';

export function kvRemoteTarget(o: { binding: string; config?: string; cwd?: string }): KvTarget {
  const cwd = o.cwd ?? process.cwd();
  const ns = locateKvNamespace({ binding: o.binding, config: o.config, cwd });
  const projectDir = path.dirname(ns.configPath);
  const staging = path.join(projectDir, '.wrangler', 'state', 'flarelift', `kv-remote-${ns.binding}`);
  const args = (file: string) => ['kv', 'bulk', 'put', file, '--binding', ns.binding, '--remote', '--config', ns.configPath];
  return {
    kind: 'kv-remote',
    description: `remote KV '${ns.binding}' through wrangler`,
    journalPath: path.join(staging, 'journal.sqlite'),
    async open({ resume }): Promise<KvSession> {
      const exe = findWrangler(projectDir, cwd);
      if (!exe) throw new UserError('no wrangler found (node_modules/.bin or PATH): npm install --save-dev wrangler in your Worker project, then wrangler login');
      const wrangler = new Wrangler(exe, cwd);
      const upload = async (f: { file: string; uploaded?: boolean }) => {
        await wrangler.run(args(path.join(staging, f.file)), `uploading ${f.file} to KV '${ns.binding}'`);
        f.uploaded = true;
      };
      const files = new BulkFiles(staging, resume, `wrangler kv bulk put <file> --binding ${ns.binding} --remote`, upload);
      if (resume) await files.retryIncomplete((f) => Boolean(f.uploaded), (f) => (f.uploaded = true));
      return {
        write: (entries, commit) => files.add(entries, commit),
        flush: () => files.close(),
        close: async () => undefined,
      };
    },
    reader(): Promise<KvReader> {
      throw new UserError(`verify reads remote KV one key per wrangler call, which is not supported yet: copy into kvjson:<dir> or a local kv:${ns.binding} to verify, then upload`);
    },
  };
}
