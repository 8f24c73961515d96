// The d1: source kind: `d1:<database>` reads the local D1 of the wrangler project (the file the
// d1 target writes), `d1:<database>?remote` the deployed one through `wrangler d1 export`.
// Options ride in the query: config=<wrangler config>, persist-to=<dir>. No driver imported here.
import type { Source, SourceEngine } from '../source.js';

export const d1Engine: SourceEngine<Source> = {
  engine: 'd1',
  forms: ['d1:<database>[?remote][&config=<file>][&persist-to=<dir>]'],
  accepts: (spec) => /^d1:/i.test(spec),
  async open(spec) {
    return (await import('./d1-source.js')).openD1Source(spec);
  },
};
