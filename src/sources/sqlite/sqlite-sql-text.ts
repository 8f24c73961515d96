// Reading the CREATE statements SQLite stores in sqlite_schema. SQLite keeps no catalog for
// CHECK constraints, generated-column expressions, index expressions, partial-index WHERE
// clauses, column collations or AUTOINCREMENT, so those few facts come from the stored text.
// Everything else comes from PRAGMAs. This is a tokenizer plus clause finders, not a parser:
// SQLite has already validated the text, we only need to find clause boundaries.

export interface Token {
  kind: 'word' | 'ident' | 'string' | 'punct';
  /** Unquoted value for identifiers, the raw text otherwise. */
  value: string;
  start: number;
  end: number;
  /** Parenthesis depth at the token (the '(' itself is at the outer depth). */
  depth: number;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: Token['kind'], value: string, start: number, end: number, d = depth) =>
    tokens.push({ kind, value, start, end, depth: d });
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(sql, i, c);
      const inner = sql.slice(i + 1, end - 1).split(c + c).join(c);
      push(c === "'" ? 'string' : 'ident', c === "'" ? sql.slice(i, end) : inner, i, end);
      i = end;
    } else if (c === '[') {
      const close = sql.indexOf(']', i);
      const end = close < 0 ? sql.length : close + 1;
      push('ident', sql.slice(i + 1, end - 1), i, end);
      i = end;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$.\u0080-\uffff]/.test(sql[j])) j++;
      push('word', sql.slice(i, j), i, j);
      i = j;
    } else if (c === '(') {
      push('punct', c, i, i + 1);
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      push('punct', c, i, i + 1);
      i++;
    } else {
      push('punct', c, i, i + 1);
      i++;
    }
  }
  return tokens;
}

function quotedEnd(sql: string, start: number, q: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.value.toUpperCase() === w;

/** Index of the ')' matching the '(' at `open`. */
function matching(tokens: Token[], open: number): number {
  const depth = tokens[open].depth;
  for (let k = open + 1; k < tokens.length; k++) {
    if (tokens[k].value === ')' && tokens[k].kind === 'punct' && tokens[k].depth === depth) return k;
  }
  return tokens.length - 1;
}

/** Source text between the parentheses opened at token `open`. */
function inner(sql: string, tokens: Token[], open: number): string {
  return sql.slice(tokens[open].end, tokens[matching(tokens, open)].start).trim();
}

/** The comma-separated items inside the parentheses opened at `open`, as token ranges. */
function items(tokens: Token[], open: number): Token[][] {
  const close = matching(tokens, open);
  const depth = tokens[open].depth + 1;
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k];
    if (t.kind === 'punct' && t.value === ',' && t.depth === depth) {
      out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

const text = (sql: string, range: Token[]) => (range.length ? sql.slice(range[0].start, range[range.length - 1].end) : '');

export interface ParsedCheck {
  name?: string;
  expression: string;
}

export interface ParsedTable {
  checks: ParsedCheck[];
  /** Generated column expressions by lower-cased column name. */
  generated: Map<string, string>;
  /** Declared COLLATE by lower-cased column name. */
  collations: Map<string, string>;
  autoincrement: boolean;
}

const COLUMN_CONSTRAINT_START = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** The collation a column compares with when it is not BINARY (NOCASE, RTRIM), else undefined. */
export function otherCollation(parsed: ParsedTable, column: string): string | undefined {
  const coll = parsed.collations.get(column.toLowerCase());
  return coll && coll.toUpperCase() !== 'BINARY' ? coll : undefined;
}

/** CHECKs, generated expressions, collations and AUTOINCREMENT of a stored CREATE TABLE. */
export function parseCreateTable(sql: string): ParsedTable {
  const out: ParsedTable = { checks: [], generated: new Map(), collations: new Map(), autoincrement: false };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === 'punct' && t.value === '(');
  if (open < 0) return out; // CREATE TABLE ... AS SELECT: no constraints
  for (const def of items(tokens, open)) {
    const depth = def[0]?.depth ?? 0;
    const first = def[0];
    const isTableConstraint =
      first !== undefined && first.kind === 'word' && COLUMN_CONSTRAINT_START.has(first.value.toUpperCase());
    const column = isTableConstraint ? undefined : first?.value.toLowerCase();
    for (let k = 0; k < def.length; k++) {
      const t = def[k];
      // Also valid inside a table constraint: PRIMARY KEY (id AUTOINCREMENT).
      if (isWord(t, 'AUTOINCREMENT')) out.autoincrement = true;
      if (t.depth !== depth) continue;
      const next = def[k + 1];
      const opensParen = next?.kind === 'punct' && next.value === '(';
      if (isWord(t, 'CHECK') && opensParen) {
        const name = k >= 2 && isWord(def[k - 2], 'CONSTRAINT') ? def[k - 1].value : undefined;
        out.checks.push({ ...(name ? { name } : {}), expression: inner(sql, tokens, tokens.indexOf(next)) });
      } else if (column && isWord(t, 'AS') && opensParen) {
        out.generated.set(column, inner(sql, tokens, tokens.indexOf(next)));
      } else if (column && isWord(t, 'COLLATE') && next) {
        out.collations.set(column, next.value);
      }
    }
  }
  return out;
}

export interface ParsedIndex {
  /** Each indexed element as written (column or expression, with COLLATE/ASC/DESC). */
  elements: string[];
  where?: string;
}

export function parseCreateIndex(sql: string): ParsedIndex {
  const tokens = tokenize(sql);
  const on = tokens.findIndex((t) => t.depth === 0 && isWord(t, 'ON'));
  const open = tokens.findIndex((t, k) => k > on && t.kind === 'punct' && t.value === '(');
  if (on < 0 || open < 0) return { elements: [] };
  const elements = items(tokens, open).map((r) => text(sql, r));
  const close = matching(tokens, open);
  const where = tokens.findIndex((t, k) => k > close && t.depth === 0 && isWord(t, 'WHERE'));
  if (where < 0) return { elements };
  return { elements, where: sql.slice(tokens[where].end).trim().replace(/;\s*$/, '') };
}

/** A view's SELECT, wrapped so that an explicit column list `CREATE VIEW v(a, b)` keeps its names. */
export function viewSelect(sql: string, name: string): string | undefined {
  const tokens = tokenize(sql);
  const as = tokens.findIndex((t) => t.depth === 0 && isWord(t, 'AS'));
  if (as < 0) return undefined;
  const body = sql.slice(tokens[as].end).trim().replace(/;\s*$/, '');
  const open = tokens.findIndex((t, k) => k < as && t.kind === 'punct' && t.value === '(');
  if (open < 0) return body;
  const cols = inner(sql, tokens, open);
  const alias = `"${name.replace(/"/g, '""')}"`;
  return `WITH ${alias}(${cols}) AS (${body}) SELECT * FROM ${alias}`;
}

/** The module of `CREATE VIRTUAL TABLE x USING fts5(...)`, lower-cased. */
export function virtualModule(sql: string): string | undefined {
  const tokens = tokenize(sql);
  const using = tokens.findIndex((t) => t.depth === 0 && isWord(t, 'USING'));
  return using >= 0 ? tokens[using + 1]?.value.toLowerCase() : undefined;
}
