// The CLI side of a Redis source: its options (added to plan, copy, verify and migrate), and the
// run and rendering of each command when --from is redis:// or rediss://. The keyspace modules
// are imported lazily, so a command on a table source never loads them.
import type { Command } from 'commander';
import type { KeyspaceCopySummary } from '../keyspace/keyspace-events.js';
import type { KeyspacePlan } from '../keyspace/keyspace-plan.js';
import type { KeyspaceVerifyResult } from '../keyspace/keyspace-verify.js';
import { REDIS_URL } from '../sources/redis/redis-url.js';
import type { Output } from './output.js';
import { commaList, interruptible, wholeNumber } from './options.js';
import { createCopyRenderer } from './render/copy-progress.js';
import { renderFindings } from './render/plan-text.js';
import { seconds } from './render/progress.js';
import { formatBytes, formatCount, textTable } from './render/table.js';

export const isRedisFrom = (from: string) => REDIS_URL.test(from.trim());

export interface KeyspaceCliOptions {
  from: string;
  to: string;
  match?: string;
  prefix?: string;
  types?: string;
  skip?: string[];
  shortTtl?: string;
  ttlTolerance?: string;
  resume?: boolean;
  json?: boolean;
  maxRejects?: string;
  maxFailures?: string;
  batchSize?: string;
  config?: string;
  persistTo?: string;
  remote?: boolean;
  rejectDir?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options of a Redis source, on the commands that read one. */
export function addKeyspaceOptions(cmd: Command, o: { writes: boolean; verifies: boolean }): Command {
  cmd.option('--match <pattern>', 'redis: only keys matching this SCAN pattern (e.g. \'session:*\')');
  if (!o.writes && !o.verifies) return cmd;
  cmd
    .option('--prefix <old=new>', 'redis: write keys starting with old under new instead (new may be empty)')
    .option('--types <list>', 'redis: the types to copy (default string,hash,list,set,zset; add stream, hyperloglog)')
    .option('--skip <pattern>', 'redis: leave out keys matching this pattern (repeatable)', collect)
    .option('--short-ttl <rule>', 'redis: a TTL under KV\'s 60 s minimum: round-up (default), skip or drop');
  if (o.verifies) cmd.option('--ttl-tolerance <seconds>', 'redis: how far an expiration may be off (default 5)');
  return cmd;
}

const rules = (o: KeyspaceCliOptions) => ({ types: commaList(o.types), skip: o.skip, prefix: o.prefix, shortTtl: o.shortTtl });
const targetOptions = (o: KeyspaceCliOptions) => ({ remote: o.remote, config: o.config, persistTo: o.persistTo });

export async function runKeyspaceCopy(o: KeyspaceCliOptions, output: Output): Promise<{ code: number; summary: KeyspaceCopySummary }> {
  const { copyRedis } = await import('../keyspace/keyspace-run.js');
  const { signal, dispose } = interruptible(
    () => output.err('interrupted: finishing the current batch; the copy can be resumed with --resume (Ctrl-C again to quit at once)'),
    130,
  );
  const renderer = createCopyRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
  let summary: KeyspaceCopySummary;
  try {
    summary = await copyRedis({
      from: o.from,
      to: o.to,
      match: o.match,
      ...rules(o),
      ...targetOptions(o),
      resume: o.resume,
      batchSize: wholeNumber('--batch-size', o.batchSize, 1),
      maxRejects: wholeNumber('--max-rejects', o.maxRejects, 0),
      rejectDir: o.rejectDir,
      signal,
      onEvent: (e) => renderer.onEvent(e),
    });
  } finally {
    renderer.stop();
    dispose();
  }
  const code = summary.status === 'interrupted' ? 130 : summary.status === 'max-rejects' ? 3 : 0;
  return { code, summary };
}

export function renderKeyspaceCopy(s: KeyspaceCopySummary): string {
  const k = s.keyspace;
  const out = [
    textTable(['keyspace', 'read', 'written', 'rejected', 'skipped', 'time'], [[k.name, k.read, k.written, k.rejected, k.skipped, seconds(s.totals.ms)]]),
    '',
    k.read === k.written + k.rejected + k.skipped ? 'read = written + rejected + skipped.' : 'NOT BALANCED (read != written + rejected + skipped)',
  ];
  const notes = Object.entries(k.notes).sort();
  if (notes.length > 0) out.push(`By rule: ${notes.map(([n, c]) => `${n} ${formatCount(c)}`).join(', ')}.`);
  if (k.rejectFile) out.push(`Rejected keys, with their reasons: ${k.rejectFile}`);
  out.push(`Source view: ${s.consistency}.`);
  if (s.status === 'interrupted') out.push('', 'Interrupted: what is committed stays. Run the same command with --resume to finish.');
  if (s.status === 'max-rejects') out.push('', 'Stopped: more keys rejected than --max-rejects allows. Run with --resume after fixing them.');
  return out.join('\n');
}

export function keyspaceCopyJson(s: KeyspaceCopySummary): string {
  const { keyspace, ...rest } = s;
  return JSON.stringify({ ...rest, keyspace });
}

export async function runKeyspaceVerify(o: KeyspaceCliOptions, output: Output): Promise<{ code: number; result: KeyspaceVerifyResult; interrupted: boolean }> {
  const { verifyRedis } = await import('../keyspace/keyspace-run.js');
  const { signal, dispose } = interruptible(() => output.err('interrupted: stopping after the current batch'), 130);
  let last = 0;
  try {
    const result = await verifyRedis({
      from: o.from,
      to: o.to,
      match: o.match,
      ...rules(o),
      ...targetOptions(o),
      ttlTolerance: wholeNumber('--ttl-tolerance', o.ttlTolerance, 0),
      maxFailures: wholeNumber('--max-failures', o.maxFailures, 0),
      signal,
      onProgress: (n) => {
        if (!o.json && Date.now() - last > 5000) {
          last = Date.now();
          output.err(`verify: ${formatCount(n)} source keys compared`);
        }
      },
    });
    const interrupted = signal.aborted;
    return { code: interrupted ? 130 : result.ok ? 0 : 1, result, interrupted };
  } finally {
    dispose();
  }
}

export function renderKeyspaceVerify(r: KeyspaceVerifyResult): string {
  const out = [
    textTable(
      ['keyspace', 'source', 'target', 'missing', 'extra', 'changed', 'rejected', 'skipped'],
      [[r.keyspace, r.expected, r.targetKeys, r.missing, r.extra, r.changed, r.rejected, r.skipped]],
    ),
  ];
  for (const m of r.mismatches) {
    out.push(m.kind === 'changed' ? `changed ${m.what}: ${m.key} (expected ${m.expected}, found ${m.actual})` : `${m.kind}: ${m.key}`);
  }
  const shown = r.missing + r.extra + r.changed;
  if (shown > r.mismatches.length) out.push(`… and ${shown - r.mismatches.length} more`);
  out.push('', r.ok
    ? `PROVEN: the target holds the ${formatCount(r.expected)} keys the rules write, values and expirations equal (within ${r.ttlToleranceSeconds} s).`
    : `NOT PROVEN: ${formatCount(shown)} key(s) differ.`);
  return out.join('\n');
}

export async function runKeyspacePlan(o: { from: string; match?: string }): Promise<KeyspacePlan> {
  const { planRedis } = await import('../keyspace/keyspace-run.js');
  return planRedis(o);
}

export function renderKeyspacePlan(p: KeyspacePlan): string {
  const k = p.keyspace;
  const types = Object.entries(k.types).map(([t, n]) => `${t} ${formatCount(n)}`).join(', ');
  return [
    `Source: ${p.source.description}`,
    `${k.name}: ${formatCount(k.keys)} keys (${types || 'none'}), ${formatBytes(k.bytes)} as KV would hold them, ${formatCount(k.withTtl)} with a TTL`,
    '',
    p.findings.length ? renderFindings(p.findings) : 'No findings: every key fits KV as a plain value.',
    ...p.findings.filter((f) => f.keys.length).map((f) => `  ${f.code} ${f.object}: e.g. ${f.keys.join(', ')}`),
    '',
    `${p.totals.blockers} blocker(s), ${p.totals.warnings} warning(s), ${p.totals.infos} info.`,
  ].join('\n');
}
