// Net counts of a multiset comparison (source occurrences minus target occurrences per distinct
// row) in bounded memory. Up to MEMORY_ROWS distinct rows are counted in a map; past that the
// map is flushed into hash partitions on disk (spill files, as a hash aggregation in a database
// does) and emptied. At the end each partition is read back alone and its counts summed, so
// memory holds one partition at a time whatever the table's size.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Distinct rows counted in memory before spilling (a few MB of map: what survives in it also fills the old generation). */
const MEMORY_ROWS = 10_000;
/** Spill partitions: 4 million distinct rows per side make ~30,000 rows a partition. */
const PARTITIONS = 256;
const WRITE_BYTES = 64 * 1024;

/** FNV-1a over the id's UTF-16 units: spreads ids over the partitions. */
function partitionOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % PARTITIONS;
}

export class NetCounts {
  private mem = new Map<string, number>();
  private dir: string | undefined;
  private readonly pending: Buffer[][] = [];
  private readonly pendingBytes: number[] = [];

  constructor(private readonly memoryRows = MEMORY_ROWS) {}

  add(id: string, delta: number): void {
    const n = (this.mem.get(id) ?? 0) + delta;
    if (n === 0) this.mem.delete(id);
    else this.mem.set(id, n);
    if (this.mem.size > this.memoryRows) this.flush();
  }

  /** True once counts went to disk (for the report). */
  get spilled(): boolean {
    return this.dir !== undefined;
  }

  /** Every row id whose net count is not zero, with that count. */
  *nonZero(): Generator<[string, number]> {
    if (this.dir === undefined) {
      yield* this.mem;
      return;
    }
    this.flush();
    for (let p = 0; p < PARTITIONS; p++) {
      const counts = new Map<string, number>();
      let data: Buffer;
      try {
        data = readFileSync(this.file(p));
      } catch {
        continue; // nothing fell into this partition
      }
      for (let at = 0; at < data.length; ) {
        const len = data.readUInt32LE(at);
        const id = data.toString('utf8', at + 4, at + 4 + len);
        const n = data.readDoubleLE(at + 4 + len);
        at += 12 + len;
        const sum = (counts.get(id) ?? 0) + n;
        if (sum === 0) counts.delete(id);
        else counts.set(id, sum);
      }
      yield* counts;
    }
  }

  /** Removes the spill files. */
  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private file(p: number): string {
    return path.join(this.dir!, `${p}.counts`);
  }

  private flush(): void {
    this.dir ??= mkdtempSync(path.join(os.tmpdir(), 'flarelift-multiset-'));
    for (const [id, n] of this.mem) {
      const text = Buffer.from(id, 'utf8');
      const record = Buffer.allocUnsafe(12 + text.length);
      record.writeUInt32LE(text.length, 0);
      text.copy(record, 4);
      record.writeDoubleLE(n, 4 + text.length); // exact to 2^53 occurrences
      const p = partitionOf(id);
      (this.pending[p] ??= []).push(record);
      this.pendingBytes[p] = (this.pendingBytes[p] ?? 0) + record.length;
      if (this.pendingBytes[p] >= WRITE_BYTES) this.write(p);
    }
    for (let p = 0; p < PARTITIONS; p++) if (this.pendingBytes[p]) this.write(p);
    this.mem = new Map();
  }

  private write(p: number): void {
    appendFileSync(this.file(p), Buffer.concat(this.pending[p]));
    this.pending[p] = [];
    this.pendingBytes[p] = 0;
  }
}
