// Files into local R2: a directory of 2,000 small files, then one 1 GiB file, each copied with
// `flarelift copy --from dir:… --to r2:MEDIA` as a user runs it (the CLI in a child process, its
// peak memory measured), against `cp -r` of the same files in the same run (the floor: the disk).
// `npm run bench -- --bucket-only` runs this one alone; --no-large skips the 1 GiB file, and
// --large-only runs only the 1 GiB file.
// Memory is sampled from /proc: flarelift's own peak (VmHWM of the CLI process) apart from its
// workerd child's (local R2 is Miniflare's workerd), and the peak of their sum (VmRSS sampled).
// The CLI runs compiled (tsc into .tmp/bench-dist), as an installed package runs: in a checkout
// bin/flarelift.js compiles the sources through tsx on the fly, which alone adds ~115 MB. A copy of
// one tiny file is measured too: what the process costs before any body moves.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SMALL_FILES = 2000;
const LARGE_BYTES = 1024 ** 3;
const args = process.argv.slice(2);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function timed(cmd: string, argv: string[], cwd: string): { ms: number; stderr: string; status: number | null; stdout: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, stderr: r.stderr, stdout: r.stdout, status: r.status };
}

/** A /proc/<pid>/status field in kB (0 when the process is gone). */
function statusKb(pid: number, field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Every process under `root` (its children, theirs…), from /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

interface Measured {
  ms: number;
  status: number | null;
  stderr: string;
  /** Peaks in kB: the CLI's own, its children's (workerd), and their sum at one moment. */
  ownKb: number;
  childKb: number;
  sumKb: number;
}

/** Runs the CLI, sampling its memory and its children's every 100 ms. */
function measured(argv: string[], cwd: string): Promise<Measured> {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const m = { ownKb: 0, childKb: 0, sumKb: 0 };
    const sample = () => {
      const pid = child.pid!;
      m.ownKb = Math.max(m.ownKb, statusKb(pid, 'VmHWM'));
      const kids = descendants(pid);
      m.childKb = Math.max(m.childKb, kids.reduce((n, k) => n + statusKb(k, 'VmHWM'), 0));
      m.sumKb = Math.max(m.sumKb, statusKb(pid, 'VmRSS') + kids.reduce((n, k) => n + statusKb(k, 'VmRSS'), 0));
    };
    const timer = setInterval(sample, 100);
    child.on('exit', (status) => {
      clearInterval(timer);
      resolve({ ms: Number(process.hrtime.bigint() - t) / 1e6, status, stderr, ...m });
    });
  });
}

/** The CLI compiled as `npm run build` makes it, with a launcher (node_modules resolve from the checkout). */
function build(): string {
  const out = path.join(ROOT, '.tmp', 'bench-dist');
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  writeFileSync(path.join(out, 'run.mjs'), "import { main } from './cli/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  return path.join(out, 'run.mjs');
}

function project(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'wrangler.json'), JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'MEDIA', bucket_name: 'media' }] }));
}

async function copyInto(cli: string, label: string, src: string, work: string): Promise<Measured> {
  const dir = path.join(work, `proj-${label}`);
  project(dir);
  const copy = await measured([cli, 'copy', '--from', `dir:${src}`, '--to', 'r2:MEDIA', '--jobs', '4', '--json'], dir);
  if (copy.status !== 0) throw new Error(`flarelift copy failed: ${copy.stderr.slice(-2000)}`);
  return copy;
}

async function run(cli: string, label: string, src: string, files: number, bytes: number, work: string): Promise<void> {
  const copy = await copyInto(cli, label, src, work);
  const cp = timed('cp', ['-r', src, path.join(work, `cp-${label}`)], work);
  const mb = bytes / 1e6;
  const MB = (kb: number) => fmt(kb / 1024);
  console.log(`\n${label}: ${fmt(files)} file(s), ${fmt(mb, 1)} MB`);
  console.log(`  flarelift → local R2: ${fmt(copy.ms / 1000, 2)} s, ${fmt(files / (copy.ms / 1000), 1)} objects/s, ${fmt(mb / (copy.ms / 1000), 1)} MB/s`);
  console.log(`    peak RSS: flarelift ${MB(copy.ownKb)} MB, its workerd ${MB(copy.childKb)} MB, both together ${MB(copy.sumKb)} MB`);
  console.log(`  cp -r (same files):   ${fmt(cp.ms / 1000, 2)} s, ${fmt(files / (cp.ms / 1000), 1)} objects/s, ${fmt(mb / (cp.ms / 1000), 1)} MB/s`);
  console.log(`  ratio: flarelift takes ${fmt(copy.ms / cp.ms, 1)}× cp -r`);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bucket-bench-'));
try {
  const cli = build();
  const tiny = path.join(work, 'tiny');
  mkdirSync(tiny);
  writeFileSync(path.join(tiny, 'one.txt'), 'one');
  const base = await copyInto(cli, 'tiny', tiny, work);
  console.log(`\na copy of one 3-byte file (the fixed cost): peak RSS flarelift ${fmt(base.ownKb / 1024)} MB, its workerd ${fmt(base.childKb / 1024)} MB`);
  const small = path.join(work, 'small');
  let smallBytes = 0;
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = path.join(small, `d${i % 20}`);
    mkdirSync(sub, { recursive: true });
    const body = Buffer.alloc(1000 + ((i * 7919) % 9000), i % 251);
    smallBytes += body.length;
    writeFileSync(path.join(sub, `file ${i}.bin`), body);
  }
  if (!args.includes('--large-only')) await run(cli, '2,000 small files', small, SMALL_FILES, smallBytes, work);
  if (!args.includes('--no-large')) {
    const large = path.join(work, 'large');
    mkdirSync(large);
    const fd = openSync(path.join(large, 'one-gib.bin'), 'w');
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let at = 0; at < LARGE_BYTES; at += chunk.length) {
      chunk.writeUInt32LE(at / chunk.length, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    await run(cli, 'one 1 GiB file', large, 1, LARGE_BYTES, work);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(path.join(ROOT, '.tmp', 'bench-dist'), { recursive: true, force: true });
}
