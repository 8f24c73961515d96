// Small helpers for catalog rows: information_schema values arrive as strings, numbers, Buffers
// (MySQL 8 returns some columns in a binary charset) or strings for BIGINTs (bigNumberStrings).

export type Row = Record<string, unknown>;

/** Runs one catalog query and returns its rows as objects. */
export type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

/** Text or null (keeps a SQL NULL apart from an empty string). */
export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : str(v);
}

export function num(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(str(v));
  return Number.isFinite(n) ? n : undefined;
}

/** An integer that may exceed 2^53 (AUTO_INCREMENT of a BIGINT UNSIGNED): a number when exact. */
export function bigIntValue(v: unknown): number | string | undefined {
  if (v === null || v === undefined) return undefined;
  const text = str(v);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}
