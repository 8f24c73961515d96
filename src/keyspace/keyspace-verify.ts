// `verify` for a keyspace: every key the rules write is in the target with an equal value and
// metadata (pass 1, driven by a SCAN of the source), and every target key comes from a source key
// that should be there, with an expiration within the tolerance (pass 2, driven by the target's
// sorted listing). Both passes hold one batch at a time. Mismatches name the exact keys.
import { createHash } from 'node:crypto';
import type { RedisSource } from '../sources/redis/redis-source.js';
import type { RedisEntry } from '../sources/redis/redis-types.js';
import type { KvReader } from '../targets/kv/kv-target.js';
import { KV_MAX_VALUE_BYTES, KV_MIN_TTL_SECONDS } from './kv-limits.js';
import { globToRegExp } from '../sources/redis/redis-glob.js';
import { decide, sourceKey, TTL_MARGIN_SECONDS, type KeyspaceRules } from './redis-kv-rules.js';

/** Seconds an expiration may differ: KV keeps whole seconds, and the two reads are moments apart. */
export const DEFAULT_TTL_TOLERANCE_SECONDS = 5;

export type KeyMismatch =
  | { kind: 'missing'; key: string }
  | { kind: 'extra'; key: string }
  | { kind: 'changed'; key: string; what: 'value' | 'metadata' | 'expiration'; expected: string; actual: string };

export interface KeyspaceVerifyResult {
  ok: boolean;
  source: string;
  target: string;
  keyspace: string;
  /** Source keys the rules write, skip and reject. */
  expected: number;
  skipped: number;
  rejected: number;
  targetKeys: number;
  matched: number;
  missing: number;
  extra: number;
  changed: number;
  /** The first `maxFailures` mismatches, each naming its key. */
  mismatches: KeyMismatch[];
  ttlToleranceSeconds: number;
}

export interface KeyspaceVerifyOptions {
  source: RedisSource;
  reader: KvReader;
  targetDescription: string;
  rules: KeyspaceRules;
  match?: string;
  ttlTolerance?: number;
  maxFailures?: number;
  signal?: AbortSignal;
  onProgress?: (keys: number) => void;
}

/** A value named without showing it (values may be secrets): its size and a hash prefix. */
const fingerprint = (b: Buffer) => `${b.length} bytes, sha256 ${createHash('sha256').update(b).digest('hex').slice(0, 12)}`;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'none');

export async function verifyKeyspace(o: KeyspaceVerifyOptions): Promise<KeyspaceVerifyResult> {
  const { source, reader, rules } = o;
  const tol = o.ttlTolerance ?? DEFAULT_TTL_TOLERANCE_SECONDS;
  const max = o.maxFailures ?? 1000;
  const r: KeyspaceVerifyResult = {
    ok: false, source: source.description, target: o.targetDescription, keyspace: source.collection(o.match),
    expected: 0, skipped: 0, rejected: 0, targetKeys: 0, matched: 0, missing: 0, extra: 0, changed: 0, mismatches: [], ttlToleranceSeconds: tol,
  };
  const fail = (m: KeyMismatch) => {
    r[m.kind]++;
    if (r.mismatches.length < max) r.mismatches.push(m);
  };
  const matchRe = o.match;
  const inScope = o.match === undefined ? () => true : ((re: RegExp) => (k: Buffer) => re.test(k.toString('latin1')))(globToRegExp(Buffer.from(o.match, 'utf8').toString('latin1')));

  // Pass 1: values and metadata, from the source's side.
  const compare = async (entries: RedisEntry[]) => {
    const now = Date.now();
    const wanted = [];
    for (const e of entries) {
      const out = decide(e, rules, now);
      if (out.kind === 'skip') r.skipped++;
      else if (out.kind === 'reject') r.rejected++;
      else {
        r.expected++;
        wanted.push(out.entry);
      }
    }
    const values = await reader.get(wanted.map((w) => w.key));
    wanted.forEach((w, i) => {
      const got = values[i];
      if (got === null) fail({ kind: 'missing', key: w.key });
      else if (!got.equals(w.value)) fail({ kind: 'changed', key: w.key, what: 'value', expected: fingerprint(w.value), actual: fingerprint(got) });
    });
  };
  for await (const keys of source.scan({ match: matchRe, signal: o.signal })) {
    const seen = new Set<string>();
    const unique = keys.filter((k) => !seen.has(k.toString('latin1')) && seen.add(k.toString('latin1')));
    const entries = await source.read(unique, { maxBytes: KV_MAX_VALUE_BYTES, skipTypes: rules.skipTypes });
    await compare(entries.filter((e) => !e.deferred));
    for (const e of entries.filter((x) => x.deferred)) {
      await source.readDeferred(e, KV_MAX_VALUE_BYTES);
      await compare([e]);
    }
    o.onProgress?.(r.expected + r.skipped + r.rejected);
  }

  // Pass 2: every target key, its metadata and expiration, from the target's side.
  for await (const page of reader.list()) {
    if (o.signal?.aborted) break;
    // Keys outside --match belong to something else in the namespace.
    const scoped = page.filter((k) => inScope(sourceKey(Buffer.from(k.name, 'utf8'), rules)));
    r.targetKeys += scoped.length;
    const keys = scoped.map((k) => sourceKey(Buffer.from(k.name, 'utf8'), rules));
    const entries = await source.read(keys, { maxBytes: KV_MAX_VALUE_BYTES, skipTypes: rules.skipTypes });
    const now = Date.now();
    entries.forEach((e, i) => {
      const listed = scoped[i];
      // Metadata of the value as read: deferred (large) values are judged by pass 1 alone.
      const out = e.deferred ? undefined : decide(e, rules, now);
      if (e.type === 'gone' || (out && out.kind !== 'write')) {
        // A short TTL rounded up outlives its source key by up to a minute: not extra.
        const expiringSoon = listed.expiration !== undefined && listed.expiration <= now / 1000 + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + tol;
        if (!(e.type === 'gone' && expiringSoon && rules.shortTtl === 'round-up')) fail({ kind: 'extra', key: listed.name });
        return;
      }
      if (out?.kind === 'write' && show(out.entry.metadata) !== show(listed.metadata)) {
        fail({ kind: 'changed', key: listed.name, what: 'metadata', expected: show(out.entry.metadata), actual: show(listed.metadata) });
        return;
      }
      const expected = e.pttl < 0 ? undefined : (e.readAt + e.pttl) / 1000;
      const actual = listed.expiration;
      let good: boolean;
      if (expected === undefined) good = actual === undefined;
      else if (actual === undefined) good = rules.shortTtl === 'drop' && expected - now / 1000 < KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + tol;
      else if (rules.shortTtl === 'round-up' && actual > expected) good = actual <= now / 1000 + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + tol || actual - expected <= tol;
      else good = Math.abs(actual - expected) <= tol;
      if (!good) fail({ kind: 'changed', key: listed.name, what: 'expiration', expected: expected === undefined ? 'none' : String(Math.ceil(expected)), actual: actual === undefined ? 'none' : String(actual) });
      else if (!r.mismatches.some((m) => m.key === listed.name)) r.matched++;
    });
  }
  r.ok = r.missing === 0 && r.extra === 0 && r.changed === 0;
  return r;
}

