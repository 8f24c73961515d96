// Net counts of a multiset comparison (source occurrences minus target occurrences per distinct
// row) in bounded memory. Up to MEMORY_ROWS distinct rows are counted in a map; past that the
// map is flushed into hash partitions on disk (spill files, as a hash aggregation in a database
// does) and emptied. At the end each partition is read back alone and its counts summed, so
// memory holds one partition at a time whatever the table's size.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Distinct rows counted in memory before spilling: few, so the map's entries die young instead of filling the old generation. */
const MEMORY_ROWS = 2_000;
/** Spill partitions: 4 million distinct rows per side make ~8,000 a partition, whose map is what the final pass holds. */
const PARTITIONS = 1024;
const WRITE_BYTES = 4 * 1024;

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
  /** One write buffer per partition, records packed into it as they spill (no object per record). */
  private readonly pending: (Buffer | undefined)[] = new Array<Buffer | undefined>(PARTITIONS);
  private readonly pendingBytes = new Uint32Array(PARTITIONS);

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
    for (let p = 0; p < PARTITIONS; p++) this.write(p);
    this.pending.fill(undefined);
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
      const p = partitionOf(id);
      const size = 12 + Buffer.byteLength(id, 'utf8');
      if (this.pendingBytes[p] + size > WRITE_BYTES) this.write(p);
      let buf = this.pending[p];
      if (buf === undefined || buf.length < size) buf = this.pending[p] = Buffer.allocUnsafeSlow(Math.max(WRITE_BYTES, size));
      let at = this.pendingBytes[p];
      at = buf.writeUInt32LE(size - 12, at);
      at += buf.write(id, at, 'utf8');
      buf.writeDoubleLE(n, at); // exact to 2^53 occurrences
      this.pendingBytes[p] += size;
    }
    this.mem = new Map();
  }

  private write(p: number): void {
    if (this.pendingBytes[p] === 0) return;
    appendFileSync(this.file(p), this.pending[p]!.subarray(0, this.pendingBytes[p]));
    this.pendingBytes[p] = 0;
  }
}
