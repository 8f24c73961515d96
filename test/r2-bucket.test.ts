// An S3 bucket and a media directory into a local R2, read back as a Worker reads it (the R2
// binding under Miniflare, what `wrangler dev` serves), proven by verify, and resumed after a
// SIGKILL in the middle of a 120 MiB multipart upload without fetching again what was sent.
// One S3 server and one bucket fixture for the whole file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { Miniflare } from 'miniflare';
import { BIN, runCli } from './helpers/cli.js';
import { startS3Server, type S3Server } from './helpers/s3-server.js';

const MIB = 1024 * 1024;
const FIXTURES_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const BUCKET = 'fl-i10-media';

interface Fixture {
  key: string;
  body: Buffer;
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  meta?: Record<string, string>;
}

/** Bytes that differ from part to part (so a part sent twice or out of place shows in the MD5). */
function patterned(size: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at, 0, Math.min(block.length, size - at));
    if ((at & 0xffff) === 0) block = createHash('sha256').update(block).digest();
  }
  return out;
}

const LARGE_KEY = 'big/large 120MiB.bin';
const FIXTURES: Fixture[] = [
  { key: 'a b/ü ñ+plus.png', body: patterned(3000, 'png'), contentType: 'image/png', cacheControl: 'public, max-age=86400', meta: { owner: 'ticket-42', note: 'space and + kept' } },
  { key: 'docs/report.pdf', body: patterned(70_000, 'pdf'), contentType: 'application/pdf', contentDisposition: 'attachment; filename="report.pdf"' },
  { key: 'empty', body: Buffer.alloc(0), contentType: 'application/octet-stream' },
  { key: 'logs/app.log.gz', body: patterned(1234, 'gz'), contentType: 'text/plain', contentEncoding: 'gzip' },
  { key: 'six.bin', body: patterned(6 * MIB, 'six'), contentType: 'application/octet-stream' },
  { key: 'small.txt', body: Buffer.from('hello, R2\n'), contentType: 'text/plain; charset=utf-8', cacheControl: 'no-cache', meta: { 'x-origin': 'helpdesk' } },
  { key: '日本語/ファイル.txt', body: Buffer.from('unicode key\n'), contentType: 'text/plain' },
];
const LARGE: Fixture = { key: LARGE_KEY, body: Buffer.alloc(0), contentType: 'application/octet-stream', meta: { kind: 'large' } };
const LARGE_SIZE = 120 * MIB;
const LARGE_PART = 8 * MIB;
let largeMd5 = '';

let s3: S3Server;
const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-r2-'));

async function fill(server: S3Server): Promise<void> {
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const f of FIXTURES) {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: f.key, Body: f.body, ContentType: f.contentType, CacheControl: f.cacheControl, ContentDisposition: f.contentDisposition, ContentEncoding: f.contentEncoding, Metadata: f.meta }));
  }
  // The large object as a multipart upload: its ETag is not its MD5.
  const up = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: LARGE_KEY, ContentType: LARGE.contentType, Metadata: LARGE.meta }));
  const parts = [];
  const hash = createHash('md5');
  for (let n = 1, at = 0; at < LARGE_SIZE; n++, at += LARGE_PART) {
    const body = patterned(Math.min(LARGE_PART, LARGE_SIZE - at), `large-${n}`);
    hash.update(body);
    const r = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: LARGE_KEY, UploadId: up.UploadId, PartNumber: n, Body: body }));
    parts.push({ PartNumber: n, ETag: r.ETag });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: LARGE_KEY, UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
  largeMd5 = hash.digest('hex');
  client.destroy();
}

function project(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'wrangler.json'), JSON.stringify({ name: 'fl-i10', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'MEDIA', bucket_name: 'media' }] }));
  return dir;
}

/** A Worker that returns the object its path names, as `wrangler dev` would run it against the project's local state. */
async function worker(dir: string): Promise<Miniflare> {
  return new Miniflare({
    modules: true,
    script: `export default { async fetch(req, env) {
      const key = decodeURIComponent(new URL(req.url).pathname.slice(1));
      const o = await env.MEDIA.get(key);
      if (!o) return new Response('missing', { status: 404 });
      const h = o.httpMetadata ?? {};
      return new Response(o.body, { headers: { 'x-type': h.contentType ?? '', 'x-cache': h.cacheControl ?? '', 'x-disposition': h.contentDisposition ?? '', 'x-encoding': h.contentEncoding ?? '', 'x-meta': JSON.stringify(o.customMetadata ?? {}) } });
    } }`,
    defaultPersistRoot: path.join(dir, '.wrangler/state/v3'),
    r2Buckets: { MEDIA: { id: 'media' } },
  });
}

async function readThroughWorker(mf: Miniflare, key: string) {
  const res = await mf.dispatchFetch(`http://worker/${encodeURIComponent(key)}`);
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  const h = (n: string) => res.headers.get(n) || undefined;
  return { status: res.status, size, md5: hash.digest('hex'), type: h('x-type'), cache: h('x-cache'), disposition: h('x-disposition'), encoding: h('x-encoding'), meta: JSON.parse(res.headers.get('x-meta') ?? '{}') as Record<string, string> };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const env = () => s3.env;
const from = () => [`s3://${BUCKET}`, '--s3-endpoint', s3.endpoint];

before(async () => {
  s3 = await startS3Server();
  await fill(s3);
});
after(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('an S3 bucket copies into local R2: a Worker reads every object with equal bytes and headers, verify --checksum proves it, and differences are named', async () => {
  const dir = project('copy');
  const plan = await runCli(['plan', '--from', ...from(), '--json'], { cwd: dir, env: env() });
  assert.equal(plan.code, 0, plan.stderr);
  const p = JSON.parse(plan.stdout) as { collections: { units: number; bytes: number }[]; findings: { code: string; message: string }[] };
  assert.equal(p.collections[0].units, FIXTURES.length + 1);
  assert.equal(p.collections[0].bytes, FIXTURES.reduce((n, f) => n + f.body.length, 0) + LARGE_SIZE);
  assert.match(p.findings.find((f) => f.code === 'r2-transfer-estimate')!.message, /largest 'big\/large 120MiB\.bin'/);

  const copy = await runCli(['copy', '--from', ...from(), '--to', 'r2:MEDIA', '--jobs', '3', '--json'], { cwd: dir, env: env() });
  assert.equal(copy.code, 0, copy.stderr + copy.stdout);
  assert.doesNotMatch(copy.stdout + copy.stderr, /S3RVER/, 'credentials never printed');
  const summary = JSON.parse(copy.stdout.trim().split('\n').at(-1)!) as { status: string; totals: { written: number } };
  assert.equal(summary.status, 'complete');
  assert.equal(summary.totals.written, FIXTURES.length + 1);
  // Progress counts bytes as well as objects: they climb and end at the bucket's total.
  const bucketBytes = FIXTURES.reduce((n, f) => n + f.body.length, 0) + LARGE_SIZE;
  const events = copy.stdout.trim().split('\n').slice(0, -1).map((l) => JSON.parse(l) as { event: string; rows?: number; bytes?: number; totalBytes?: number });
  const started = events.find((e) => e.event === 'table-start')!;
  assert.deepEqual([started.bytes, started.totalBytes], [0, bucketBytes]);
  const progress = events.filter((e) => e.event === 'progress');
  assert.ok(progress.length > 0 && progress.every((e) => e.totalBytes === bucketBytes), 'every progress event carries the bucket total');
  assert.ok(progress.every((e, i) => i === 0 || e.bytes! >= progress[i - 1].bytes!), 'bytes never go back');
  assert.deepEqual([progress.at(-1)!.rows, progress.at(-1)!.bytes], [FIXTURES.length + 1, bucketBytes]);

  const mf = await worker(dir);
  try {
    for (const f of FIXTURES) {
      const got = await readThroughWorker(mf, f.key);
      assert.equal(got.status, 200, `${f.key} readable by its own name`);
      assert.equal(got.size, f.body.length, f.key);
      assert.equal(got.md5, md5(f.body), f.key);
      assert.equal(got.type, f.contentType, `${f.key} content type`);
      assert.equal(got.cache, f.cacheControl, `${f.key} cache control`);
      assert.equal(got.disposition, f.contentDisposition, `${f.key} disposition`);
      assert.equal(got.encoding, f.contentEncoding, `${f.key} encoding`);
      for (const [k, v] of Object.entries(f.meta ?? {})) assert.equal(got.meta[k], v, `${f.key} metadata ${k}`);
    }
    const large = await readThroughWorker(mf, LARGE_KEY);
    assert.equal(large.size, LARGE_SIZE);
    assert.equal(large.md5, largeMd5);
    assert.equal(large.meta['flarelift-md5'] ?? large.meta['flarelift-source-etag'] !== undefined ? 'recorded' : 'none', 'recorded');
    assert.equal(large.meta.kind, 'large');
  } finally {
    await mf.dispose();
  }

  const verify = await runCli(['verify', '--from', ...from(), '--to', 'r2:MEDIA', '--checksum', '--json'], { cwd: dir, env: env() });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);

  // Change, delete and add in the target, as a Worker would.
  const mf2 = new Miniflare({ modules: true, script: 'export default {}', defaultPersistRoot: path.join(dir, '.wrangler/state/v3'), r2Buckets: { MEDIA: { id: 'media' } } });
  try {
    const bucket = await mf2.getR2Bucket('MEDIA');
    await bucket.put('small.txt', 'hello, R3\n', { httpMetadata: { contentType: 'text/plain; charset=utf-8', cacheControl: 'no-cache' }, customMetadata: { 'x-origin': 'helpdesk' } });
    await bucket.delete('empty');
    await bucket.put('extra/stray.txt', 'not in the source');
  } finally {
    await mf2.dispose();
  }
  const failures = path.join(dir, 'failures.jsonl');
  const bad = await runCli(['verify', '--from', ...from(), '--to', 'r2:MEDIA', '--failures', failures], { cwd: dir, env: env() });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  const records = readFileSync(failures, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; key: { key: string } });
  const named = records.map((r) => `${r.kind} ${r.key.key}`).sort();
  assert.deepEqual(named, ['changed small.txt', 'extra extra/stray.txt', 'missing empty']);
});

test('SIGKILL in the middle of the 120 MiB upload, then --resume: nothing already sent is fetched again, and the bucket verifies', async () => {
  const dir = project('resume');
  const journal = path.join(dir, '.wrangler/state/v3/r2/flarelift-media.journal.json');
  await s3.reset();
  const child = spawn(process.execPath, [BIN, 'copy', '--from', ...from(), '--to', 'r2:MEDIA', '--jobs', '1', '--json'], { cwd: dir, env: { ...process.env, FLARELIFT_SOURCES: '1', ...env() }, stdio: 'ignore' });
  // Kill once the journal holds some parts of the large object.
  let partsBefore = 0;
  for (let i = 0; i < 1200 && partsBefore < 4; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const j = JSON.parse(readFileSync(journal, 'utf8')) as { uploads: Record<string, { parts: unknown[] }> };
      partsBefore = j.uploads[LARGE_KEY]?.parts.length ?? 0;
    } catch {
      // not written yet, or being replaced
    }
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(partsBefore >= 4, 'the copy was killed during the multipart upload');
  const j = JSON.parse(readFileSync(journal, 'utf8')) as { uploads: Record<string, { parts: unknown[]; partSize: number }> };
  const done = j.uploads[LARGE_KEY].parts.length;
  const partSize = j.uploads[LARGE_KEY].partSize;

  await s3.reset();
  const resumed = await runCli(['copy', '--from', ...from(), '--to', 'r2:MEDIA', '--jobs', '1', '--resume', '--json'], { cwd: dir, env: env() });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const stats = await s3.stats();
  const fetched = (key: string) => stats.gets.filter((g) => g.path === `/${BUCKET}/${key}`).reduce((n, g) => n + g.bytes, 0);
  assert.equal(fetched(FIXTURES[0].key), 0, 'an object copied before the kill is not fetched again');
  assert.equal(fetched(LARGE_KEY), LARGE_SIZE - done * partSize, 'only the parts the journal lacked are fetched');
  assert.ok(!existsSync(journal), 'the journal is gone once the copy completed');

  const verify = await runCli(['verify', '--from', ...from(), '--to', 'r2:MEDIA', '--checksum'], { cwd: dir, env: env() });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

test('a media directory copies into local R2 the same way, and plan finds the Django ImageField paths naming it, with dangling and orphan counts', async () => {
  const media = path.join(work, 'media');
  const files: Record<string, Buffer> = { 'avatars/ana maría.png': patterned(5000, 'ana'), 'icons/chess+go.svg': Buffer.from('<svg/>'), 'games/ü/board.jpg': patterned(7 * MIB, 'board'), 'readme.txt': Buffer.from('media\n') };
  for (const [k, b] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(media, k)), { recursive: true });
    writeFileSync(path.join(media, k), b);
  }
  const dir = project('dir');
  const copy = await runCli(['copy', '--from', media, '--to', 'r2:MEDIA'], { cwd: dir });
  assert.equal(copy.code, 0, copy.stdout + copy.stderr);
  const mf = await worker(dir);
  try {
    for (const [k, b] of Object.entries(files)) {
      const got = await readThroughWorker(mf, k);
      assert.equal(got.md5, md5(b), k);
    }
    assert.equal((await readThroughWorker(mf, 'avatars/ana maría.png')).type, 'image/png');
  } finally {
    await mf.dispose();
  }
  const verify = await runCli(['verify', '--from', `dir:${media}`, '--to', 'r2:MEDIA', '--checksum'], { cwd: dir });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);

  // A Django site's database naming these files (ImageField / FileField paths relative to MEDIA_ROOT).
  const db = path.join(work, 'site.sqlite3');
  const made = spawnSync('/usr/bin/python3', [path.join(FIXTURES_DIR, 'django_media/make_db.py'), db, media], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  for (const bucket of [`dir:${media}`, 'r2:MEDIA']) {
    const plan = await runCli(['plan', '--from', db, '--bucket', bucket, '--json'], { cwd: dir });
    assert.equal(plan.code, 0, plan.stderr);
    const refs = (JSON.parse(plan.stdout) as { references: { objects: number; columns: { column: string; rows: number; dangling: number }[]; orphans: number } }).references;
    assert.equal(refs.objects, Object.keys(files).length, bucket);
    assert.deepEqual(refs.columns, [
      { column: 'gallery_player.avatar', rows: 3, dangling: 1 },
      { column: 'gallery_player.icon', rows: 1, dangling: 0 },
    ], bucket);
    assert.equal(refs.orphans, 2, `${bucket}: games/ü/board.jpg and readme.txt are named by no row`);
  }
});
