// What plan says about the URL rewrites of flarelift.toml: for each text column they apply to,
// how many rows hold a `from` prefix (the rows copy will rewrite), and how many already hold a
// `to` (the inverse then cannot tell them apart: a warning). One streaming scan per table.
import type { Finding } from '../catalog/findings.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Source } from '../sources/source.js';

export async function rewriteFindings(source: Source, m: TableMapping): Promise<Finding[]> {
  const cols = m.columns.map((c, i) => ({ i, name: c.name, rules: c.cast.rewrites ?? [] })).filter((c) => c.rules.length > 0);
  if (cols.length === 0) return [];
  const hits = cols.map(() => ({ from: 0, to: 0 }));
  for await (const batch of source.readRows(m.table, { batchSize: 2000 })) {
    for (const row of batch) {
      cols.forEach((c, k) => {
        const v = row[c.i];
        if (typeof v !== 'string') return;
        if (c.rules.some((r) => v.includes(r.from))) hits[k].from++;
        if (c.rules.some((r) => r.to && v.includes(r.to))) hits[k].to++;
      });
    }
  }
  const out: Finding[] = [];
  cols.forEach((c, k) => {
    const object = `${m.name}.${c.name}`;
    const prefixes = c.rules.map((r) => r.from).join(', ');
    if (hits[k].from > 0) out.push({ severity: 'info', code: 'url-rewrite', object, message: `${hits[k].from} row(s) hold ${prefixes}: copy rewrites them to ${c.rules.map((r) => r.to).join(', ')}`, fix: 'nothing: verify compares the target with the rewrite applied' });
    if (hits[k].to > 0) out.push({ severity: 'warning', code: 'url-rewrite-ambiguous', object, message: `${hits[k].to} row(s) already hold the new prefix: the inverse rewrite cannot tell them from rewritten ones`, fix: 'keep a copy of the source for rollback, or narrow the rule with columns = [...]' });
  });
  return out;
}
