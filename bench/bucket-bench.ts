// Files into local R2: a directory of 2,000 small files, then one 1 GiB file, each copied with
// `flarelift copy --from dir:… --to r2:MEDIA` as a user runs it (the CLI in a child process, its
// peak RSS measured), against `cp -r` of the same files in the same run (the floor: the disk).
// `npm run bench -- --bucket-only` runs this one alone; --no-large skips the 1 GiB file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
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

function project(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'wrangler.json'), JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'MEDIA', bucket_name: 'media' }] }));
}

function run(label: string, src: string, files: number, bytes: number, work: string): void {
  const dir = path.join(work, `proj-${label}`);
  project(dir);
  const copy = timed('/usr/bin/time', ['-v', process.execPath, path.join(ROOT, 'bin/flarelift.js'), 'copy', '--from', `dir:${src}`, '--to', 'r2:MEDIA', '--jobs', '4', '--json'], dir);
  if (copy.status !== 0) throw new Error(`flarelift copy failed: ${copy.stderr.slice(-2000)}`);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(copy.stderr)?.[1]);
  const cp = timed('cp', ['-r', src, path.join(work, `cp-${label}`)], work);
  const mb = bytes / 1e6;
  console.log(`\n${label}: ${fmt(files)} file(s), ${fmt(mb, 1)} MB`);
  console.log(`  flarelift → local R2: ${fmt(copy.ms / 1000, 2)} s, ${fmt(files / (copy.ms / 1000), 1)} objects/s, ${fmt(mb / (copy.ms / 1000), 1)} MB/s, peak RSS ${fmt(rssKb / 1024)} MB`);
  console.log(`  cp -r (same files):   ${fmt(cp.ms / 1000, 2)} s, ${fmt(files / (cp.ms / 1000), 1)} objects/s, ${fmt(mb / (cp.ms / 1000), 1)} MB/s`);
  console.log(`  ratio: flarelift takes ${fmt(copy.ms / cp.ms, 1)}× cp -r`);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bucket-bench-'));
try {
  const small = path.join(work, 'small');
  let smallBytes = 0;
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = path.join(small, `d${i % 20}`);
    mkdirSync(sub, { recursive: true });
    const body = Buffer.alloc(1000 + ((i * 7919) % 9000), i % 251);
    smallBytes += body.length;
    writeFileSync(path.join(sub, `file ${i}.bin`), body);
  }
  run('2,000 small files', small, SMALL_FILES, smallBytes, work);
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
    run('one 1 GiB file', large, 1, LARGE_BYTES, work);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
