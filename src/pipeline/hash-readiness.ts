// `plan`'s password-hash readiness: which text columns hold password hashes (by the shape of their
// values), in which formats, whether production Workers can verify them in one call, and the
// CPU one verification with flarelift/runtime takes, measured on this machine.
import type { Column, Table, TableMeasurement } from '../catalog/types.js';
import { parseBareDigest, parseHash, verifiableInOneCall, type ParsedHash } from '../runtime/formats.js';
import type { ColumnMapping, TableMapping } from '../schema/mapping.js';
import type { Source } from '../sources/source.js';

/** Rows read per table for the scan: enough to see a table's formats, cheap on any table. */
export const HASH_SAMPLE_ROWS = 1000;
/** The shortest stored hash worth looking at (an unsalted MD5 is 32 hex digits). */
const MIN_HASH_BYTES = 32;
/** Half the usable values of a column must be hashes for it to count as a password column. */
const MIN_HASH_SHARE = 0.5;
/** Bare hex digests look like checksums too: counted only where the column's name says so. */
const PASSWORD_NAME = /pass|pwd|hash|secret|digest|crypt/i;

export interface HashFormatReport {
  format: string;
  kind: ParsedHash['kind'];
  count: number;
  /** PBKDF2: the iteration counts seen. */
  iterations?: number[];
  /** bcrypt: the costs seen. */
  cost?: number[];
  /** True when production Workers verify it with one native call (or a cheap digest). */
  workersOneCall: boolean;
  /** False for formats the runtime cannot check (argon2). */
  verifiable: boolean;
  /** CPU milliseconds of one verification with flarelift/runtime on this machine (the costliest parameters seen). */
  verifyCpuMs?: number;
}

export interface PasswordHashColumn {
  table: string;
  column: string;
  /** Rows read (at most HASH_SAMPLE_ROWS); counts below are of these rows. */
  sampledRows: number;
  /** Values that are hashes of a known format. */
  hashes: number;
  /** Values marked unusable (Django's `!…`: no password set). */
  unusable: number;
  formats: HashFormatReport[];
}

function textual(c: ColumnMapping): boolean {
  const t = c.cast.transform.name;
  if (t === 'text' || t === 'copy') return true;
  return t === 'keep' && /char|text|clob|^$/.test(c.cast.column.dataType);
}

interface Seen {
  h: ParsedHash;
  raw: string;
}

interface Tally {
  parsed: Seen[];
  unusable: number;
  others: number;
}

function tally(values: unknown[], column: Column): Tally {
  const t: Tally = { parsed: [], unusable: 0, others: 0 };
  const bareAllowed = PASSWORD_NAME.test(column.name);
  for (const v of values) {
    if (typeof v !== 'string' || v === '') continue;
    if (v.startsWith('!')) {
      t.unusable++;
      continue;
    }
    const h = parseHash(v);
    if (h && (bareAllowed || !parseBareDigest(v.trim()))) t.parsed.push({ h, raw: v });
    else t.others++;
  }
  return t;
}

function groupFormats(parsed: Seen[]): HashFormatReport[] {
  const groups = new Map<string, HashFormatReport>();
  for (const { h } of parsed) {
    let g = groups.get(h.format);
    if (!g) {
      g = { format: h.format, kind: h.kind, count: 0, workersOneCall: true, verifiable: h.kind !== 'argon2' };
      groups.set(h.format, g);
    }
    g.count++;
    g.workersOneCall &&= verifiableInOneCall(h);
    if (h.kind === 'pbkdf2' && !(g.iterations ??= []).includes(h.iterations)) g.iterations.push(h.iterations);
    if (h.kind === 'bcrypt' && !(g.cost ??= []).includes(h.cost)) g.cost.push(h.cost);
  }
  for (const g of groups.values()) {
    g.iterations?.sort((a, b) => a - b);
    g.cost?.sort((a, b) => a - b);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.format.localeCompare(b.format));
}

/** The costliest hash of a format (most iterations, highest cost): the one whose CPU is measured. */
function costliest(parsed: Seen[], format: string): string | undefined {
  const weight = (h: ParsedHash) => (h.kind === 'pbkdf2' ? h.iterations : h.kind === 'bcrypt' ? 2 ** h.cost : h.kind === 'scrypt' ? h.N * h.r * h.p : 0);
  let best: Seen | undefined;
  for (const s of parsed) if (s.h.format === format && (!best || weight(s.h) > weight(best.h))) best = s;
  return best?.raw;
}

/** CPU milliseconds of one `verifyPassword` (a wrong password costs the same as the right one). */
async function measureVerify(stored: string, cache: Map<string, number>): Promise<number | undefined> {
  const key = stored.replace(/\$[^$]*$/, ''); // same format and parameters, any salt and digest
  if (cache.has(key)) return cache.get(key);
  const { verifyPassword } = await import('../runtime/passwords.js');
  const probe = `not-the-password-${Math.random()}`;
  const before = process.cpuUsage();
  try {
    await verifyPassword(stored, probe);
  } catch {
    return undefined;
  }
  const used = process.cpuUsage(before);
  const ms = Math.round((used.user + used.system) / 100) / 10;
  cache.set(key, ms);
  return ms;
}

/**
 * Samples the table's text columns (those the measuring scan saw values of hash length in) and
 * reports those that hold password hashes. `cache` keeps
 * one CPU measurement per format and parameters across the tables of a plan.
 */
export async function scanPasswordHashes(source: Source, m: TableMapping, measured: TableMeasurement, cache: Map<string, number>): Promise<PasswordHashColumn[]> {
  const maxBytes = new Map(measured.columns.map((c) => [c.column, c.maxBytes]));
  const candidates = m.columns.filter((c) => textual(c) && (maxBytes.get(c.name) ?? MIN_HASH_BYTES) >= MIN_HASH_BYTES);
  if (candidates.length === 0) return [];
  const projected: Table = { ...m.table, columns: candidates.map((c) => c.cast.column) };
  const rows: unknown[][] = [];
  for await (const batch of source.readRows(projected, { batchSize: HASH_SAMPLE_ROWS })) {
    rows.push(...batch.slice(0, HASH_SAMPLE_ROWS - rows.length));
    if (rows.length >= HASH_SAMPLE_ROWS) break;
  }
  const out: PasswordHashColumn[] = [];
  for (const [i, c] of candidates.entries()) {
    const values = rows.map((r) => r[i]);
    const t = tally(values, c.cast.column);
    if (t.parsed.length === 0 || t.parsed.length < MIN_HASH_SHARE * (t.parsed.length + t.others)) continue;
    const formats = groupFormats(t.parsed);
    for (const f of formats) {
      const stored = f.verifiable ? costliest(t.parsed, f.format) : undefined;
      if (stored) f.verifyCpuMs = await measureVerify(stored, cache);
    }
    out.push({ table: m.name, column: c.name, sampledRows: rows.length, hashes: t.parsed.length, unusable: t.unusable, formats });
  }
  return out;
}
