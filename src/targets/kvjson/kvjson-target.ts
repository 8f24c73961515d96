// `kvjson:<dir>`: files for `wrangler kv bulk put`, in order, listed in manifest.json. The copy's
// key journal sits in the directory too (.flarelift-journal.sqlite) until the copy completes.
import path from 'node:path';
import { BulkFiles } from '../kv/kv-bulk-files.js';
import type { KvReader, KvSession, KvTarget } from '../kv/kv-target.js';
import { bulkFilesReader } from './kvjson-reader.js';

export function kvjsonTarget(dirSpec: string, cwd = process.cwd()): KvTarget {
  const dir = path.resolve(cwd, dirSpec);
  return {
    kind: 'kvjson',
    description: `KV bulk files in ${dir}`,
    journalPath: path.join(dir, '.flarelift-journal.sqlite'),
    async open({ resume }): Promise<KvSession> {
      const files = new BulkFiles(dir, resume, 'for f in $(jq -r ".files[].file" manifest.json); do wrangler kv bulk put "$f" --binding <BINDING> --remote; done');
      return {
        write: (entries, commit) => files.add(entries, commit),
        flush: () => files.close(),
        close: async () => undefined,
      };
    },
    reader: (): Promise<KvReader> => bulkFilesReader(dir),
  };
}
