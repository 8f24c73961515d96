// The fake remote KV behind test/helpers/fake-wrangler.ts: `wrangler kv bulk put <file>
// --binding <B> --remote`, stored in the SQLite file $FAKE_D1_DIR/kv-<B>.sqlite. It enforces
// what Cloudflare's bulk write API enforces, so a test fails the way production would: at most
// 10,000 pairs and 100 MB per request; keys of 1 to 512 bytes; values up to 25 MiB (after
// base64); metadata up to 1,024 bytes; expirations at least 60 s ahead. A file is applied all
// or nothing. FAKE_KV_FAIL_FILE makes a file's upload fail (a lost connection).
import Database from 'better-sqlite3';
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface Pair {
  key: string;
  value: string;
  base64?: boolean;
  expiration?: number;
  expiration_ttl?: number;
  metadata?: unknown;
}

export function kvMain(argv: string[], fail: (message: string) => never): void {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv[1] !== 'bulk' || argv[2] !== 'put' || !argv.includes('--remote')) fail(`fake wrangler only does 'kv bulk put <file> --remote', not: ${argv.join(' ')}`);
  const file = argv[3];
  const binding = get('--binding');
  const dir = process.env.FAKE_D1_DIR;
  if (!binding || !dir) fail('need --binding and FAKE_D1_DIR');
  if (process.env.FAKE_D1_LOG) appendFileSync(process.env.FAKE_D1_LOG, `${JSON.stringify({ kv: path.basename(file) })}\n`);
  const failOn = process.env.FAKE_KV_FAIL_FILE;
  if (failOn && path.basename(file).includes(failOn)) fail(`simulated failure uploading ${path.basename(file)}`);
  const bytes = statSync(file).size;
  if (bytes > 100_000_000) fail(`request too large: ${bytes} bytes (KV bulk writes take 100 MB)`);
  const pairs = JSON.parse(readFileSync(file, 'utf8')) as Pair[];
  if (!Array.isArray(pairs)) fail('the file is not a JSON array of pairs');
  if (pairs.length > 10_000) fail(`too many pairs: ${pairs.length} (KV bulk writes take 10,000)`);
  const now = Date.now() / 1000;
  const rows = pairs.map((p, i) => {
    if (typeof p.key !== 'string' || typeof p.value !== 'string') fail(`pair ${i}: key and value must be strings`);
    const k = Buffer.byteLength(p.key);
    if (k < 1 || k > 512 || p.key === '.' || p.key === '..') fail(`pair ${i}: invalid key of ${k} bytes [code: 10019]`);
    const value = p.base64 ? Buffer.from(p.value, 'base64') : Buffer.from(p.value, 'utf8');
    if (value.length > 25 * 1024 * 1024) fail(`pair ${i}: value of ${value.length} bytes is too large [code: 10011]`);
    const meta = p.metadata === undefined ? null : JSON.stringify(p.metadata);
    if (meta !== null && Buffer.byteLength(meta) > 1024) fail(`pair ${i}: metadata too large [code: 10012]`);
    if (p.expiration !== undefined && p.expiration < now + 60) fail(`pair ${i}: expiration ${p.expiration} is less than 60 seconds in the future [code: 10014]`);
    if (p.expiration_ttl !== undefined && p.expiration_ttl < 60) fail(`pair ${i}: expiration_ttl under 60 [code: 10014]`);
    const expiration = p.expiration ?? (p.expiration_ttl !== undefined ? Math.floor(now + p.expiration_ttl) : null);
    return [p.key, value, expiration, meta] as const;
  });
  mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, `kv-${binding}.sqlite`));
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB, expiration INTEGER, metadata TEXT)');
  const put = db.prepare('INSERT OR REPLACE INTO kv VALUES (?, ?, ?, ?)');
  db.transaction(() => rows.forEach((r) => put.run(...r)))();
  process.stdout.write('Success!\n');
}
