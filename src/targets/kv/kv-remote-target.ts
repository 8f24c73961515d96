// `kv:<BINDING> --remote`: Cloudflare's KV through the user's own wrangler. Pairs are staged as
// bulk files (≤ 10,000 pairs, ≤ 100 MB) under .wrangler/state/flarelift/ and each full file goes
// up with `wrangler kv bulk put <file> --binding <BINDING> --remote`; the journal records each
// upload with the batch that completed it, so a resume uploads a file that was complete but not
// sent, then goes on.
import path from 'node:path';
import { Wrangler, findWrangler } from '../../cloudflare/wrangler-cli.js';
import { UserError } from '../../errors.js';
import { locateKvNamespace } from './kv-namespace.js';
import { fileStore, wranglerUpload } from './kv-stores.js';
import { kvUnitTarget } from './kv-unit-target.js';

export function kvRemoteTarget(o: { binding: string; config?: string; cwd?: string }) {
  const cwd = o.cwd ?? process.cwd();
  const ns = locateKvNamespace({ binding: o.binding, config: o.config, cwd });
  const projectDir = path.dirname(ns.configPath);
  const staging = path.join(projectDir, '.wrangler', 'state', 'flarelift', `kv-remote-${ns.binding}`);
  const args = (file: string) => ['kv', 'bulk', 'put', file, '--binding', ns.binding, '--remote', '--config', ns.configPath];
  return kvUnitTarget({
    kind: 'kv-remote',
    description: `remote KV '${ns.binding}' through wrangler`,
    journalPath: path.join(staging, 'journal.sqlite'),
    lockFile: path.join(staging, 'flarelift-lock'),
    async makeStore(resumed) {
      const exe = findWrangler(projectDir, cwd);
      if (!exe) throw new UserError('no wrangler found (node_modules/.bin or PATH): npm install --save-dev wrangler in your Worker project, then wrangler login');
      const upload = wranglerUpload(new Wrangler(exe, cwd), staging, args, `KV '${ns.binding}'`);
      return fileStore(staging, resumed, `wrangler kv bulk put <file> --binding ${ns.binding} --remote`, upload);
    },
    reader: () => {
      throw new UserError(`verify reads remote KV one key per wrangler call, which flarelift does not do yet: verify kvjson:<dir> or a local kv:${ns.binding} copy instead`);
    },
  });
}
