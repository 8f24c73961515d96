// An S3 bucket and a media directory into a local R2, read back as a Worker reads it (the R2
// binding under Miniflare, what `wrangler dev` serves), proven by verify, and resumed after a
// SIGKILL in the middle of a 120 MiB multipart upload without fetching again what was sent.
// One S3 server and one bucket fixture for the whole file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { Miniflare } from 'miniflare';
import { BIN, runCli } from './helpers/cli.js';
import { startS3Server, type S3Server } from './helpers/s3-server.js';
import { R2_MAX_OBJECT_BYTES, R2_MAX_PUT_BYTES } from '../src/cloudflare/limits.js';
import { alive } from './helpers/processes.js';

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
  // The local R2's workerd, started by the copy's Miniflare, must not outlive the killed copy.
  const workerd = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(child.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => /\bworkerd\b/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(partsBefore >= 4, 'the copy was killed during the multipart upload');
  assert.equal(workerd.length, 1, 'the copy ran one workerd');
  for (let i = 0; i < 100 && alive(workerd[0]); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(workerd[0]), false, 'its workerd went with it');
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

// The way back and R2 itself: a small directory (one file past the 8 MiB part size, so one
// multipart upload, and one key over R2's 1,024 bytes) into an s3:// bucket and into `r2:<B>
// --remote` through --r2-endpoint (s3rver stands in for R2's S3 endpoint), both read back with
// the S3 API and verified.
const BACK = 'fl-g9-back';
const REMOTE = 'fl-g9-remote';
const LONG_DIRS = Array.from({ length: 5 }, (_, i) => `${String(i)}${'d'.repeat(219)}`);
const LONG_KEY = `${LONG_DIRS.join('/')}/too-long.txt`; // 1,117 bytes
const BACK_FILES: Record<string, Buffer> = {
  'a b/ü ñ+plus.txt': Buffer.from('unicode, space and +\n'),
  'empty.bin': Buffer.alloc(0),
  'index.html': Buffer.from('<!doctype html><title>x</title>\n'),
  'nine.bin': patterned(9 * MIB, 'nine'),
};

function s3Client(): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

/** Every object under `prefix` of `bucket`, by key without the prefix: its MD5 and Content-Type. */
async function readBucket(client: S3Client, bucket: string, prefix = ''): Promise<Map<string, { md5: string; type: string | undefined }>> {
  const out = new Map<string, { md5: string; type: string | undefined }>();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const o of listed.Contents ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
    out.set(o.Key!.slice(prefix.length), { md5: md5(Buffer.from(await got.Body!.transformToByteArray())), type: got.ContentType });
  }
  return out;
}

function backSource(): string {
  const dir = path.join(work, 'back-src');
  for (const [k, b] of Object.entries({ ...BACK_FILES, [LONG_KEY]: Buffer.from('a key R2 cannot hold\n') })) {
    mkdirSync(path.dirname(path.join(dir, k)), { recursive: true });
    writeFileSync(path.join(dir, k), b);
  }
  return dir;
}

interface CopySummary {
  status: string;
  tables: { name: string; read: number; written: number; rejected: number }[];
  notes: string[];
}
const lastLine = <T>(stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as T;

test('the way back: a directory copies into an s3:// bucket, the key over 1,024 bytes rejected with its reason, bytes read back equal, verify passes; a resume hashes local files and sends only the one that changed, and restarts an upload the store no longer knows', async () => {
  const client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: BACK }));
  const src = backSource();
  const dir = project('back');
  const rejectDir = path.join(dir, 'rejects');
  const to = [`s3://${BACK}/copy`, '--s3-endpoint', s3.endpoint];
  const copy = await runCli(['copy', '--from', `dir:${src}`, '--to', ...to, '--json', '--accept-rejects', '--reject-dir', rejectDir], { cwd: dir, env: env() });
  assert.equal(copy.code, 0, copy.stdout + copy.stderr);
  const [t] = lastLine<CopySummary>(copy.stdout).tables;
  assert.deepEqual([t.read, t.written, t.rejected], [5, 4, 1], 'read = written + rejected');
  const rejects = readFileSync(path.join(rejectDir, `${t.name}.rejects.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; reason: string });
  assert.deepEqual(rejects.map((r) => r.key), [LONG_KEY]);
  assert.match(rejects[0].reason, /key of 1,117 bytes is over R2's limit of 1,024 bytes/);

  const back = await readBucket(client, BACK, 'copy/');
  assert.deepEqual([...back.keys()].sort(), Object.keys(BACK_FILES).sort(), 'every file but the rejected one, under the prefix');
  for (const [k, b] of Object.entries(BACK_FILES)) assert.equal(back.get(k)!.md5, md5(b), k);
  assert.equal(back.get('index.html')!.type, 'text/html');
  const failures = path.join(dir, 'failures.jsonl');
  const verify = await runCli(['verify', '--from', `dir:${src}`, '--to', ...to, '--checksum', '--accept-rejects', '--reject-dir', rejectDir, '--failures', failures], { cwd: dir, env: env() });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr + (existsSync(failures) ? readFileSync(failures, 'utf8') : ''));

  // A copy that died after writing its objects but before its journal said so (the journal
  // still at the start), and one file since changed to other bytes of the same size.
  const id = createHash('sha256').update(`${s3.endpoint}|${BACK}|copy`).digest('hex').slice(0, 12);
  const journal = path.join(dir, '.flarelift', `s3-${BACK}-${id}.journal.json`);
  mkdirSync(path.dirname(journal), { recursive: true });
  writeFileSync(journal, JSON.stringify({ entries: [{ collection: t.name, ordered: true, lastKey: null, read: 0, written: 0, rejected: 0, skipped: 0, done: false, bytes: 0 }], uploads: {} }));
  writeFileSync(path.join(src, 'index.html'), Buffer.from('<!doctype html><title>y</title>\n'));
  await s3.reset();
  const resumed = await runCli(['copy', '--from', `dir:${src}`, '--to', ...to, '--resume', '--json', '--accept-rejects', '--reject-dir', rejectDir], { cwd: dir, env: env() });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const notes = lastLine<CopySummary>(resumed.stdout).notes;
  assert.ok(notes.some((n) => /: 1 object\(s\) sent, 32 bytes$/.test(n)), notes.join('\n'));
  assert.ok(notes.includes('3 object(s) already there with the same size and MD5 were not sent again'), notes.join('\n'));
  assert.deepEqual((await s3.stats()).puts, [`/${BACK}/copy/index.html`], 'only the changed file is sent');
  assert.ok(!existsSync(journal));
  const again = await runCli(['verify', '--from', `dir:${src}`, '--to', ...to, '--checksum', '--accept-rejects', '--reject-dir', rejectDir], { cwd: dir, env: env() });
  assert.equal(again.code, 0, again.stdout + again.stderr);

  // A multipart upload the journal holds but the store no longer knows (expired or aborted
  // there): the object is sent again from its first part, not "finished" from the second.
  await client.send(new DeleteObjectCommand({ Bucket: BACK, Key: 'copy/nine.bin' }));
  const nine = BACK_FILES['nine.bin'].length;
  const upload = { uploadId: 'flarelift-gone', size: nine, partSize: 8 * MIB, source: `${nine}:${statSync(path.join(src, 'nine.bin')).mtime.getTime()}`, parts: [{ partNumber: 1, etag: '"0123456789abcdef0123456789abcdef"' }] };
  writeFileSync(journal, JSON.stringify({ entries: [{ collection: t.name, ordered: true, lastKey: null, read: 0, written: 0, rejected: 0, skipped: 0, done: false, bytes: 0 }], uploads: { 'nine.bin': upload } }));
  await s3.reset();
  const restarted = await runCli(['copy', '--from', `dir:${src}`, '--to', ...to, '--resume', '--json', '--accept-rejects', '--reject-dir', rejectDir], { cwd: dir, env: env() });
  assert.equal(restarted.code, 0, restarted.stdout + restarted.stderr);
  const restartNotes = lastLine<CopySummary>(restarted.stdout).notes;
  assert.ok(restartNotes.some((n) => /: 1 object\(s\) sent, 9\.0 MiB$/.test(n)), restartNotes.join('\n'));
  assert.deepEqual((await s3.stats()).puts, [`/${BACK}/copy/nine.bin`, `/${BACK}/copy/nine.bin`], 'both parts sent');
  const head = await client.send(new HeadObjectCommand({ Bucket: BACK, Key: 'copy/nine.bin' }));
  assert.equal(head.Metadata?.['flarelift-md5'], md5(BACK_FILES['nine.bin']));
  const third = await runCli(['verify', '--from', `dir:${src}`, '--to', ...to, '--checksum', '--accept-rejects', '--reject-dir', rejectDir], { cwd: dir, env: env() });
  assert.equal(third.code, 0, third.stdout + third.stderr);
  client.destroy();
});

test('r2:<BINDING> --remote through --r2-endpoint (an S3 server standing in for R2): objects land in the bound bucket_name, verify --remote proves them, the token is never printed', async () => {
  const client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: REMOTE }));
  const src = backSource();
  const dir = path.join(work, 'remote');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'wrangler.json'), JSON.stringify({ name: 'fl-g9', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'FILES', bucket_name: REMOTE }] }));
  const r2env = { R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
  const to = ['r2:FILES', '--remote', '--r2-endpoint', s3.endpoint];
  const copy = await runCli(['copy', '--from', src, '--to', ...to, '--json', '--accept-rejects', '--reject-dir', path.join(dir, 'rejects')], { cwd: dir, env: r2env });
  assert.equal(copy.code, 0, copy.stdout + copy.stderr);
  assert.doesNotMatch(copy.stdout + copy.stderr, /S3RVER/);
  const summary = lastLine<CopySummary & { target: string }>(copy.stdout);
  assert.match(summary.target, new RegExp(`R2 bucket '${REMOTE}'`));
  assert.deepEqual([summary.tables[0].written, summary.tables[0].rejected], [4, 1]);
  const got = await readBucket(client, REMOTE);
  assert.deepEqual([...got.keys()].sort(), Object.keys(BACK_FILES).sort());
  for (const [k, b] of Object.entries(BACK_FILES)) assert.equal(got.get(k)!.md5, md5(b), k);
  // The multipart object carries its MD5 as metadata (its ETag is not one).
  const head = await client.send(new HeadObjectCommand({ Bucket: REMOTE, Key: 'nine.bin' }));
  assert.equal(head.Metadata?.['flarelift-md5'], md5(BACK_FILES['nine.bin']));
  const failures = path.join(dir, 'failures.jsonl');
  const verify = await runCli(['verify', '--from', src, '--to', ...to, '--checksum', '--accept-rejects', '--reject-dir', path.join(dir, 'rejects'), '--failures', failures], { cwd: dir, env: r2env });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr + (existsSync(failures) ? readFileSync(failures, 'utf8') : ''));
  const noToken = await runCli(['copy', '--from', src, '--to', ...to], { cwd: dir, env: { R2_ACCESS_KEY_ID: '', R2_SECRET_ACCESS_KEY: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /needs an R2 API token: set R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY/);
  client.destroy();
});

interface PlanJson {
  findings: { code: string; severity: string; message: string }[];
  references?: { objects: number; columns: { column: string; rows: number; dangling: number }[]; orphans: number };
}

/** A file of `size` bytes that holds no blocks on disk (plan reads sizes only, never the bytes). */
function sparse(file: string, size: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

test("plan names what R2 cannot take or keep: an object over R2's limit and one over 5 GiB (sparse files), a key over 1,024 bytes, a storage class, and the Super Slurper advice from 1 TiB", async () => {
  const src = path.join(work, 'plan-src');
  sparse(path.join(src, 'video/huge.mkv'), R2_MAX_OBJECT_BYTES + 1);
  sparse(path.join(src, 'video/six-gib.mkv'), R2_MAX_PUT_BYTES + 1);
  mkdirSync(path.join(src, ...LONG_DIRS), { recursive: true });
  writeFileSync(path.join(src, LONG_KEY), 'x');
  assert.ok(statSync(path.join(src, 'video/huge.mkv')).blocks < 64, 'sparse: no disk used');
  const plan = await runCli(['plan', '--from', `dir:${src}`, '--json'], { cwd: work });
  assert.equal(plan.code, 0, plan.stderr);
  const findings = (JSON.parse(plan.stdout) as PlanJson).findings;
  const by = (code: string) => findings.filter((f) => f.code === code);
  assert.deepEqual(by('r2-object-too-large').map((f) => [f.severity, f.message]), [['blocker', "1 object(s) over R2's object limit of 5115.0 GiB: 'video/huge.mkv'"]]);
  assert.deepEqual(by('r2-multipart-required').map((f) => [f.severity, f.message]), [['info', "1 object(s) over 5 GiB (R2's single PUT limit): 'video/six-gib.mkv'"]]);
  assert.equal(by('r2-key-too-long').length, 1);
  assert.equal(by('r2-key-too-long')[0].severity, 'blocker');
  assert.ok(by('r2-key-too-long')[0].message.includes(`'${LONG_KEY}'`));
  assert.equal(by('r2-use-super-slurper').length, 1, 'over 1 TiB in all');
  assert.match(by('r2-use-super-slurper')[0].message, /^5120\.0 GiB is a lot/);
  assert.equal(by('r2-storage-class-dropped').length, 0, 'a directory has no storage classes');

  // Storage classes come from the S3 listing.
  const client = s3Client();
  await client.send(new CreateBucketCommand({ Bucket: 'fl-g9-classes' }));
  await client.send(new PutObjectCommand({ Bucket: 'fl-g9-classes', Key: 'cold/a.bin', Body: 'a', StorageClass: 'GLACIER' }));
  await client.send(new PutObjectCommand({ Bucket: 'fl-g9-classes', Key: 'cold/b.bin', Body: 'b', StorageClass: 'GLACIER' }));
  await client.send(new PutObjectCommand({ Bucket: 'fl-g9-classes', Key: 'warm.bin', Body: 'c', StorageClass: 'STANDARD_IA' }));
  await client.send(new PutObjectCommand({ Bucket: 'fl-g9-classes', Key: 'hot.bin', Body: 'd' }));
  client.destroy();
  const s3plan = await runCli(['plan', '--from', 's3://fl-g9-classes', '--s3-endpoint', s3.endpoint, '--json'], { cwd: work, env: env() });
  assert.equal(s3plan.code, 0, s3plan.stderr);
  const classes = (JSON.parse(s3plan.stdout) as PlanJson).findings.filter((f) => f.code === 'r2-storage-class-dropped');
  assert.deepEqual(classes.map((f) => f.message).sort(), [
    '1 object(s) in storage class STANDARD_IA: R2 has Standard and Infrequent Access only',
    '2 object(s) in storage class GLACIER: R2 has Standard and Infrequent Access only, and archived objects must be restored before they can be read',
  ]);
});

test('plan --bucket --public-url finds a column of full URLs (plain and percent-encoded keys), with its dangling rows and the orphans', async () => {
  const src = backSource();
  const db = path.join(work, 'attachments.sqlite');
  const sqlite = new Database(db);
  sqlite.exec('CREATE TABLE attachment (id INTEGER PRIMARY KEY, url TEXT, note TEXT)');
  const add = sqlite.prepare('INSERT INTO attachment (url, note) VALUES (?, ?)');
  add.run('https://files.example.com/index.html', 'plain');
  add.run(`https://files.example.com/${encodeURIComponent('a b/ü ñ+plus.txt').replace(/%2F/g, '/')}`, 'encoded');
  add.run('https://files.example.com/a b/ü ñ+plus.txt', 'as stored');
  add.run('https://files.example.com/gone.png', 'dangling');
  add.run('', 'empty is not a reference');
  sqlite.close();
  const plan = await runCli(['plan', '--from', db, '--bucket', `dir:${src}`, '--public-url', 'https://files.example.com/', '--json'], { cwd: work });
  assert.equal(plan.code, 0, plan.stderr);
  const p = JSON.parse(plan.stdout) as PlanJson;
  assert.equal(p.references!.objects, Object.keys(BACK_FILES).length + 1, 'the files and the long key');
  assert.deepEqual(p.references!.columns, [{ column: 'attachment.url', rows: 4, dangling: 1 }]);
  assert.equal(p.references!.orphans, 3, 'empty.bin, nine.bin and the long key are named by no row');
  assert.match(p.findings.find((f) => f.code === 'dangling-references')!.message, /'https:\/\/files\.example\.com\/gone\.png'/);
  const without = await runCli(['plan', '--from', db, '--bucket', `dir:${src}`, '--json'], { cwd: work });
  assert.deepEqual((JSON.parse(without.stdout) as PlanJson).references!.columns, [], 'without --public-url the URLs name no object');
});

test('--no-s3-path-style: an IP endpoint is still addressed path-style (the SDK cannot put a bucket before an IP) and lists; a named local endpoint fails in one line saying which name did not resolve', async () => {
  const ip = await runCli(['plan', '--from', ...from(), '--no-s3-path-style', '--json'], { cwd: work, env: env() });
  assert.equal(ip.code, 0, ip.stderr);
  assert.equal((JSON.parse(ip.stdout) as { collections: { units: number }[] }).collections[0].units, FIXTURES.length + 1);
  const named = s3.endpoint.replace('127.0.0.1', 'localhost');
  for (const args of [['--s3-endpoint', named, '--no-s3-path-style'], []]) {
    const from = args.length ? `s3://${BUCKET}` : `s3://${BUCKET}?endpoint=${encodeURIComponent(named)}&path_style=false`;
    const r = await runCli(['plan', '--from', from, ...args], { cwd: work, env: env() });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot resolve ${BUCKET}\\.localhost \\(virtual-hosted addressing`));
  }
  const pathStyle = await runCli(['plan', '--from', `s3://${BUCKET}`, '--s3-endpoint', named, '--json'], { cwd: work, env: env() });
  assert.equal(pathStyle.code, 0, 'the same named endpoint works path-style, the default with an endpoint');
});

test('--s3-profile: credentials from a named profile of the AWS files; a profile that is not there is one line, exit 2', async () => {
  const creds = path.join(work, 'aws-credentials');
  writeFileSync(creds, '[fl-g9]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
  const files = { AWS_SHARED_CREDENTIALS_FILE: creds, AWS_CONFIG_FILE: path.join(work, 'aws-config-none'), AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' };
  const ok = await runCli(['plan', '--from', ...from(), '--s3-profile', 'fl-g9', '--json'], { cwd: work, env: files });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { collections: { units: number }[] }).collections[0].units, FIXTURES.length + 1);
  assert.doesNotMatch(ok.stdout + ok.stderr, /S3RVER/);
  const missing = await runCli(['plan', '--from', ...from(), '--s3-profile', 'fl-g9-nope'], { cwd: work, env: files });
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
});
