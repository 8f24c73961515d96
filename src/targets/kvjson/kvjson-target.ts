// `kvjson:<dir>`: files for `wrangler kv bulk put`, in order, listed in manifest.json. The copy's
// journal sits in the directory too (.flarelift-journal.sqlite) until the copy completes.
import path from 'node:path';
import { fileStore } from '../kv/kv-stores.js';
import { kvUnitTarget } from '../kv/kv-unit-target.js';
import { bulkFilesReader } from './kvjson-reader.js';

export function kvjsonTarget(dirSpec: string, cwd = process.cwd()) {
  const dir = path.resolve(cwd, dirSpec);
  return kvUnitTarget({
    kind: 'kvjson',
    description: `KV bulk files in ${dir}`,
    journalPath: path.join(dir, '.flarelift-journal.sqlite'),
    lockFile: path.join(dir, '.flarelift-lock'),
    makeStore: async (resumed) => fileStore(dir, resumed, 'wrangler kv bulk put <file> --binding <BINDING> (--local or --remote), each file in manifest order'),
    reader: () => bulkFilesReader(dir),
  });
}
