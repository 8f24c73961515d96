// Which database columns point at a bucket's objects, and whether every pointer resolves:
// `plan --bucket <dir:|s3://|r2:BINDING>` reads the bucket's keys, then scans the text columns.
// A value points at an object when it is the object's key (a Django FileField / ImageField path
// relative to MEDIA_ROOT) or the bucket's public URL (--public-url) followed by the key. A column
// whose non-empty values mostly do so is a reference column: its values that name no object are
// dangling references; objects that no reference column names are orphans.
import type { Finding } from '../catalog/findings.js';
import type { Table } from '../catalog/types.js';
import type { Source } from '../sources/source.js';

/** A column is taken for a reference column when at least this share of its non-empty values name objects. */
const REFERENCE_SHARE = 0.5;
const EXAMPLES = 5;

interface ColumnTally {
  table: string;
  column: string;
  nonEmpty: number;
  matched: number;
  named: Set<string>;
  unmatched: string[];
}

function keyOf(value: string, publicUrl: string | undefined, keys: ReadonlySet<string>): string | undefined {
  if (publicUrl && value.startsWith(publicUrl)) {
    const rest = value.slice(publicUrl.length);
    try {
      return keys.has(rest) ? rest : decodeURIComponent(rest);
    } catch {
      return rest;
    }
  }
  return keys.has(value) ? value : keys.has(value.replace(/^\/+/, '')) ? value.replace(/^\/+/, '') : undefined;
}

export interface ReferenceReport {
  findings: Finding[];
  referenceColumns: { column: string; rows: number; dangling: number }[];
  orphans: number;
}

export async function objectReferences(source: Source, tables: readonly Table[], bucketName: string, keys: ReadonlySet<string>, publicUrl?: string): Promise<ReferenceReport> {
  const tallies: ColumnTally[] = [];
  for (const table of tables) {
    const cols = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => /char|text|string|enum|uuid|varchar/i.test(c.dataType) || /char|text/i.test(c.sourceType));
    if (cols.length === 0) continue;
    const mine = cols.map(({ c }) => ({ table: table.name, column: c.name, nonEmpty: 0, matched: 0, named: new Set<string>(), unmatched: [] as string[] }));
    for await (const batch of source.readRows(table, { batchSize: 2000 })) {
      for (const row of batch) {
        cols.forEach(({ i }, k) => {
          const v = row[i];
          if (typeof v !== 'string' || v.trim() === '') return;
          const t = mine[k];
          t.nonEmpty++;
          const key = keyOf(v, publicUrl, keys);
          if (key !== undefined && keys.has(key)) {
            t.matched++;
            t.named.add(key);
          } else if (t.unmatched.length < EXAMPLES) t.unmatched.push(v);
        });
      }
    }
    tallies.push(...mine);
  }
  const refs = tallies.filter((t) => t.matched > 0 && t.matched >= REFERENCE_SHARE * t.nonEmpty);
  const named = new Set<string>();
  const findings: Finding[] = [];
  for (const t of refs) {
    for (const k of t.named) named.add(k);
    const object = `${t.table}.${t.column}`;
    findings.push({ severity: 'info', code: 'object-references', object, message: `${t.nonEmpty} row(s) name objects of ${bucketName} (${t.named.size} distinct)`, fix: 'nothing: keep the paths, or add a [[rewrite]] rule when the URL prefix changes' });
    const dangling = t.nonEmpty - t.matched;
    if (dangling > 0) findings.push({ severity: 'warning', code: 'dangling-references', object, message: `${dangling} row(s) name objects ${bucketName} does not hold: ${t.unmatched.map((v) => `'${v}'`).join(', ')}${dangling > t.unmatched.length ? ' …' : ''}`, fix: 'restore the files, or clear the references before the move' });
  }
  const orphans = [...keys].filter((k) => !named.has(k));
  if (refs.length > 0 && orphans.length > 0) {
    findings.push({ severity: 'info', code: 'orphan-objects', object: bucketName, message: `${orphans.length} object(s) no row names: ${orphans.slice(0, EXAMPLES).map((k) => `'${k}'`).join(', ')}${orphans.length > EXAMPLES ? ' …' : ''}`, fix: 'nothing, or leave them out of the copy (copy from a prefix)' });
  }
  return {
    findings,
    referenceColumns: refs.map((t) => ({ column: `${t.table}.${t.column}`, rows: t.nonEmpty, dangling: t.nonEmpty - t.matched })),
    orphans: refs.length > 0 ? orphans.length : 0,
  };
}
