// One copy into a KV target, whatever carries the bytes (a local namespace through Miniflare,
// bulk files, remote KV through wrangler — a KvStore): each batch is written, then journaled
// with its keys, the counts and the rules' notes in one SQLite transaction (kv-journal.ts).
import type { Collection, Key } from '../../catalog/collection.js';
import type { TargetReport } from '../target.js';
import type { UnitBatch, UnitFailure, UnitJournalEntry, UnitTargetSession, UnitTargetState } from '../unit-target.js';
import type { KvEntry, Note } from './kv-cast.js';
import { KvJournal } from './kv-journal.js';

export interface KvStore {
  /** Writes the entries so they survive a crash; the ones the target refused, by index. */
  put(entries: readonly KvEntry[]): Promise<UnitFailure[]>;
  /** File stores: their state, journaled with the batch. */
  snapshot?(): unknown;
  /** Whether the target already holds data (a new copy refuses to mix with it). */
  hasData(): Promise<boolean>;
  /** A new copy begins (file stores remove an earlier copy's files). */
  reset?(): void;
  /** After the last batch: completes files and uploads; lines for the summary. */
  finish(): Promise<string[]>;
  close(): Promise<void>;
}

const NOTE_WORDS: Record<Note, string> = {
  'ttl-rounded-up': 'TTLs under 60 s rounded up to expire about a minute after the copy (short-ttl=round-up)',
  'ttl-dropped': 'TTLs under 60 s dropped (short-ttl=drop)',
  'skip-type': 'keys skipped by type (streams and HyperLogLogs unless types= lists them)',
  'skip-pattern': 'keys skipped by skip=',
  'skip-short-ttl': 'keys skipped for a TTL under 60 s (short-ttl=skip)',
  'skip-gone': 'keys that expired or were deleted between SCAN and their read',
  'skip-unknown-type': 'keys of module types with no KV shape, skipped',
};

export class KvSession implements UnitTargetSession<Collection, KvEntry> {
  private journal: KvJournal | undefined;
  private store: KvStore | undefined;

  constructor(
    private readonly journalPath: string,
    /** The store, given the journaled file state on a resume (undefined for a new copy). */
    private readonly makeStore: (resumed: unknown) => Promise<KvStore>,
    /** Notes counted by the cast since the last batch (drained into each batch's commit). */
    private readonly notes: Map<Note, number>,
  ) {}

  async state(collections: readonly Collection[]): Promise<UnitTargetState> {
    if (KvJournal.exists(this.journalPath)) {
      this.journal = await KvJournal.open(this.journalPath, false);
      this.store = await this.makeStore(this.journal.files() ?? { files: [] });
      return { journal: this.journal.entries(), filled: new Map() };
    }
    this.store = await this.makeStore(undefined);
    const filled = await this.store.hasData();
    return { filled: new Map(collections.map((c) => [c.name, filled])) };
  }

  async begin(setup: { entries: UnitJournalEntry[] }): Promise<void> {
    this.journal = await KvJournal.open(this.journalPath, true);
    this.store ??= await this.makeStore(undefined);
    this.store.reset?.();
    for (const entry of setup.entries) this.journal.commit({ keys: [], entry, files: this.store.snapshot?.() });
  }

  async committed(_c: Collection, keys: readonly Key[]): Promise<boolean[]> {
    return keys.map((k) => this.journal!.has(Buffer.from(k[0] as Uint8Array)));
  }

  async write(batch: UnitBatch<Collection, KvEntry>): Promise<UnitJournalEntry> {
    const entries = batch.units.map((u) => u.value);
    const failures = await this.store!.put(entries);
    if (failures.length > 0) batch.onFailures(failures);
    const entry = { ...batch.after, written: batch.after.written - failures.length, rejected: batch.after.rejected + failures.length };
    const notes = new Map(this.notes);
    this.notes.clear();
    const keys = [...entries.map((e) => e.sourceKey!), ...batch.settled.map((k) => Buffer.from(k[0] as Uint8Array))];
    this.journal!.commit({ keys, entry, notes, files: this.store!.snapshot?.() });
    return entry;
  }

  async finish(): Promise<TargetReport> {
    const lines = await this.store!.finish();
    const counted = Object.entries(this.journal!.notes()).map(([n, v]) => `${NOTE_WORDS[n as Note] ?? n}: ${v}`);
    this.journal!.close();
    KvJournal.remove(this.journalPath);
    this.journal = undefined;
    return { findings: [], notes: [...counted, ...lines] };
  }

  async close(): Promise<void> {
    this.journal?.close();
    await this.store?.close();
  }
}
