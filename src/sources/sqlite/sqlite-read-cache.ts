// Page cache of a connection that only reads: a table scan reads each page once, so SQLite's
// cache buys nothing there and better-sqlite3's build default (16 MB per connection, filled by
// any scan of a large table) is resident memory for the rest of the run. The b-tree's interior
// pages, which lookups and range reads do revisit, fit many times over in what is left.
import type Database from 'better-sqlite3';

/** KiB of page cache per read-only connection (a negative cache_size is KiB in SQLite). */
const READ_CACHE_KIB = 2_000;

export function limitReadCache(db: Database.Database): void {
  db.pragma(`cache_size = -${READ_CACHE_KIB}`);
}
