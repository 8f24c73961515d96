// A local KV namespace opened through Miniflare (imported lazily: only KV commands load it), the
// way wrangler opens it for `wrangler kv key … --local` and `wrangler dev`: same persist root,
// same namespace id, so the data lands exactly where they read it. Entries go in batches to a
// tiny Worker bound to the namespace — one request per batch instead of one per key.
import type { Miniflare } from 'miniflare';
import { withReaper, type Reaper } from '../../cloudflare/workerd-reaper.js';
import type { KvEntry } from './kv-cast.js';

export interface KvListedKey {
  name: string;
  /** Seconds since the epoch. */
  expiration?: number;
  metadata?: unknown;
}

export interface StoredPair {
  key: string;
  value: Buffer;
  metadata?: unknown;
  expiration?: number;
}

// Requests carry [u32 header length][header JSON][value bytes…] so values stay bytes end to end.
const WORKER = `
const frame = (head, parts) => {
  const h = new TextEncoder().encode(JSON.stringify(head));
  const total = 4 + h.length + parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, h.length);
  out.set(h, 4);
  let off = 4 + h.length;
  for (const p of parts) { out.set(new Uint8Array(p), off); off += p.byteLength; }
  return out;
};
export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    try {
      if (url.pathname === '/put') {
        const buf = new Uint8Array(await req.arrayBuffer());
        const n = new DataView(buf.buffer).getUint32(0);
        const head = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + n)));
        let off = 4 + n;
        await Promise.all(head.map((h) => {
          const value = buf.slice(off, off + h.n);
          off += h.n;
          const options = {};
          if (h.e !== undefined) options.expiration = h.e;
          if (h.m !== undefined) options.metadata = h.m;
          return env.NS.put(h.k, value, options);
        }));
        return new Response('ok');
      }
      if (url.pathname === '/get') {
        // Value and metadata; KV's get does not tell the expiration (only a listing does).
        const keys = await req.json();
        const found = await Promise.all(keys.map((k) => env.NS.getWithMetadata(k, 'arrayBuffer')));
        const head = found.map((f) => (f.value === null ? null : { n: f.value.byteLength, m: f.metadata }));
        return new Response(frame(head, found.filter((f) => f.value !== null).map((f) => f.value)));
      }
      if (url.pathname === '/list') {
        const cursor = url.searchParams.get('cursor') || undefined;
        return Response.json(await env.NS.list({ cursor, limit: 1000 }));
      }
      if (url.pathname === '/delete') {
        const keys = await req.json();
        await Promise.all(keys.map((k) => env.NS.delete(k)));
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      return new Response(String(e && e.message || e), { status: 500 });
    }
  },
};
`;

export class LocalKvNamespace {
  private constructor(
    private readonly mf: Miniflare,
    private readonly reaper: Reaper,
  ) {}

  static async open(persistRoot: string, namespaceId: string): Promise<LocalKvNamespace> {
    const { Miniflare } = await import('miniflare');
    const { value: mf, reaper } = await withReaper(async () => {
      // Miniflare exits the process on SIGINT; the copy's own handler finishes the batch in
      // flight and leaves a clean journal instead, then disposes Miniflare itself.
      const before = new Set(process.listeners('SIGINT'));
      const m = new Miniflare({ modules: true, script: WORKER, kvNamespaces: { NS: namespaceId }, defaultPersistRoot: persistRoot });
      for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.off('SIGINT', l);
      await m.ready;
      return m;
    });
    return new LocalKvNamespace(mf, reaper);
  }

  private async call(path: string, body?: Uint8Array | string): Promise<Buffer> {
    const res = await this.mf.dispatchFetch(`http://kv.local${path}`, body === undefined ? {} : { method: 'POST', body });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new Error(`local KV ${path.split('?')[0]} failed: ${bytes.toString('utf8').slice(0, 500)}`);
    return bytes;
  }

  async put(entries: readonly KvEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const head = entries.map((e) => ({ k: e.key, n: e.value.length, e: e.expiration, m: e.metadata }));
    await this.call('/put', frame(head, entries.map((e) => e.value)));
  }

  /** Value and metadata of each key (null when absent); the expiration comes from list(). */
  async get(keys: readonly string[]): Promise<(StoredPair | null)[]> {
    if (keys.length === 0) return [];
    const bytes = await this.call('/get', JSON.stringify(keys));
    const n = bytes.readUInt32BE(0);
    const head = JSON.parse(bytes.subarray(4, 4 + n).toString('utf8')) as ({ n: number; m?: unknown } | null)[];
    let off = 4 + n;
    return head.map((h, i) => {
      if (h === null) return null;
      const value = bytes.subarray(off, off + h.n);
      off += h.n;
      return { key: keys[i], value, metadata: h.m ?? undefined };
    });
  }

  async *list(): AsyncGenerator<KvListedKey[]> {
    let cursor = '';
    for (;;) {
      const page = JSON.parse((await this.call(`/list?cursor=${encodeURIComponent(cursor)}`)).toString('utf8')) as {
        keys: KvListedKey[];
        list_complete: boolean;
        cursor?: string;
      };
      if (page.keys.length > 0) yield page.keys;
      if (page.list_complete || !page.cursor) return;
      cursor = page.cursor;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.call('/delete', JSON.stringify(keys));
  }

  async close(): Promise<void> {
    await this.mf.dispose();
    this.reaper.release();
  }
}

function frame(head: unknown, parts: readonly Buffer[]): Uint8Array {
  const h = Buffer.from(JSON.stringify(head), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([len, h, ...parts]);
}
