// The journal of a copy into a bucket: the pipeline's entries (the last committed key, counts)
// and the multipart uploads under way with the parts each has committed, so a copy killed in the
// middle of a large object finishes that upload instead of sending it again. One JSON file,
// replaced atomically (write, then rename) after every batch and every part.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { UnitJournalEntry } from '../unit-target.js';

export interface UploadRecord {
  uploadId: string;
  size: number;
  partSize: number;
  /** What the object was copied from: an upload is finished only for the same source object. */
  source: string;
  parts: { partNumber: number; etag: string }[];
}

export interface ObjectJournalData {
  entries: UnitJournalEntry[];
  uploads: Record<string, UploadRecord>;
}

export class ObjectJournal {
  data: ObjectJournalData | undefined;

  constructor(readonly file: string) {
    try {
      this.data = JSON.parse(readFileSync(file, 'utf8')) as ObjectJournalData;
    } catch {
      this.data = undefined;
    }
  }

  begin(entries: UnitJournalEntry[]): void {
    this.data = { entries, uploads: {} };
    this.save();
  }

  save(): void {
    if (!this.data) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }

  remove(): void {
    rmSync(this.file, { force: true });
    this.data = undefined;
  }
}
