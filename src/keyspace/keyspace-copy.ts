// `copy` for a keyspace: SCAN the source in batches, decide each key's fate by the rules, write
// the batch to the KV target, then journal it. Memory holds one batch (large values are read and
// written one at a time); the journal makes a resume exact (see keyspace-journal.ts).
import { RejectFiles } from '../pipeline/copy-rejects.js';
import type { RedisSource } from '../sources/redis/redis-source.js';
import type { KvTarget } from '../targets/kv/kv-target.js';
import type { CopyStatus } from '../pipeline/copy-events.js';
import { KeyJournal, type JournalRecord } from './keyspace-journal.js';
import type { KeyspaceCopySummary, KeyspaceEventListener } from './keyspace-events.js';
import { KV_MAX_VALUE_BYTES } from './kv-limits.js';
import { decide, keyText, type KeyspaceRules, type KvEntry } from './redis-kv-rules.js';
import type { RedisEntry } from '../sources/redis/redis-types.js';

export const DEFAULT_KEYSPACE_REJECT_DIR = 'flarelift-rejects';

export interface KeyspaceCopyOptions {
  source: RedisSource;
  target: KvTarget;
  rules: KeyspaceRules;
  /** SCAN MATCH pattern (default every key). */
  match?: string;
  resume?: boolean;
  /** Keys per SCAN and batch (default 1,000). */
  batchSize?: number;
  maxRejects?: number;
  rejectDir?: string;
  signal?: AbortSignal;
  onEvent?: KeyspaceEventListener;
}

export async function copyKeyspace(o: KeyspaceCopyOptions): Promise<KeyspaceCopySummary> {
  const emit = o.onEvent ?? (() => undefined);
  const { source, target, rules } = o;
  const name = source.collection(o.match);
  const started = Date.now();
  const journal = await KeyJournal.open(target.journalPath, { resume: Boolean(o.resume), source: source.description, target: target.description });
  const rejects = new RejectFiles(o.rejectDir ?? DEFAULT_KEYSPACE_REJECT_DIR);
  let session;
  let status: CopyStatus = 'complete';
  try {
    // A resume keeps the reject lines the journal counts (lines past them belong to uncommitted batches).
    rejects.truncate(name, journal.resumed ? journal.counts.rejected : 0);
    session = await target.open({ resume: journal.resumed });
    const total = await source.count();
    emit({ type: 'start', source: source.description, target: target.description, consistency: source.consistency, resumed: journal.resumed, tables: [name] });
    emit({ type: 'table-start', table: name, total, rows: journal.read, resumed: journal.resumed, restarted: false });

    const pending = new Set<string>(); // keys written but not yet durable (file targets)
    const write = async (entries: RedisEntry[]) => {
      const now = Date.now();
      const records: JournalRecord[] = [];
      const writes: KvEntry[] = [];
      for (const e of entries) {
        const outcome = decide(e, rules, now);
        if (outcome.kind === 'write') {
          writes.push(outcome.entry);
          records.push({ key: e.key, fate: 'written', note: outcome.note });
        } else if (outcome.kind === 'skip') {
          records.push({ key: e.key, fate: 'skipped', note: outcome.note });
        } else {
          records.push({ key: e.key, fate: 'rejected' });
          rejects.append([{ table: name, key: { key: keyText(e.key) }, reason: outcome.reason, values: { type: e.type, bytes: e.bytes } }]);
          emit({ type: 'reject', table: name, key: keyText(e.key), reason: outcome.reason });
        }
      }
      const ids = records.map((r) => r.key.toString('latin1'));
      for (const id of ids) pending.add(id);
      await session!.write(writes, () => {
        journal.commit(records);
        for (const id of ids) pending.delete(id);
      });
    };

    for await (const keys of source.scan({ match: o.match, count: o.batchSize, signal: o.signal })) {
      if (o.signal?.aborted) break;
      const fresh = keys.filter((k) => !pending.has(k.toString('latin1')) && !journal.has(k));
      if (fresh.length === 0) continue;
      const entries = await source.read(fresh, { maxBytes: KV_MAX_VALUE_BYTES, skipTypes: rules.skipTypes });
      await write(entries.filter((e) => !e.deferred));
      for (const e of entries.filter((x) => x.deferred)) {
        await source.readDeferred(e, KV_MAX_VALUE_BYTES);
        await write([e]);
        e.value = undefined; // let the large value go before the next one
      }
      emit({ type: 'progress', table: name, rows: journal.read + pending.size, total });
      if (o.maxRejects !== undefined && journal.counts.rejected > o.maxRejects) {
        status = 'max-rejects';
        break;
      }
    }
    await session.flush();
    if (o.signal?.aborted && status === 'complete') status = 'interrupted';
  } catch (e) {
    journal.close();
    throw e;
  } finally {
    rejects.close();
    await session?.close();
  }

  const c = journal.counts;
  const keyspace = {
    name,
    read: journal.read,
    written: c.written,
    rejected: c.rejected,
    skipped: c.skipped,
    notes: { ...c.notes },
    ...(c.rejected > 0 ? { rejectFile: rejects.fileFor(name) } : {}),
  };
  if (status === 'complete') journal.complete();
  else journal.close();
  const ms = Date.now() - started;
  emit({ type: 'table-done', table: name, read: keyspace.read, written: keyspace.written, rejected: keyspace.rejected, ms, skipped: false });
  const summary: KeyspaceCopySummary = {
    status,
    source: source.description,
    target: target.description,
    consistency: source.consistency,
    tables: [{ name, read: keyspace.read, written: keyspace.written, rejected: keyspace.rejected, ms, ...(keyspace.rejectFile ? { rejectFile: keyspace.rejectFile } : {}), ...(journal.resumed ? { resumed: true } : {}) }],
    totals: { read: keyspace.read, written: keyspace.written, rejected: keyspace.rejected, ms },
    findings: [],
    notes: [],
    keyspace,
  };
  emit({ type: 'done', summary });
  return summary;
}
