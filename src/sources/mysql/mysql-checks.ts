// CHECK clauses as the server prints them (information_schema.CHECK_CONSTRAINTS) -> SQLite SQL.
// Only a conservative subset is translated: identifiers, plain literals, comparison and
// arithmetic operators, boolean words and a few functions that mean the same in both. Anything
// else (REGEXP, backslash escapes, `||`, MySQL-only functions) is left untranslated and reported.
import { quoteIdent } from '../../schema/identifiers.js';

const WORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'BETWEEN', 'LIKE', 'TRUE', 'FALSE']);

/** MySQL function -> SQLite function with the same meaning on the values flarelift writes. */
const FUNCTIONS: Record<string, string> = {
  json_valid: 'json_valid',
  lower: 'lower',
  upper: 'upper',
  abs: 'abs',
  coalesce: 'coalesce',
  ifnull: 'ifnull',
  nullif: 'nullif',
  char_length: 'length',
  character_length: 'length',
  trim: 'trim',
  ltrim: 'ltrim',
  rtrim: 'rtrim',
  round: 'round',
};

const OPERATORS = ['<=>', '<>', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ','];

export function translateCheck(clause: string): string | undefined {
  const out: string[] = [];
  /** Indexes in `out` of function names: no space between them and their '('. */
  const calls = new Set<number>();
  let i = 0;
  const s = clause.trim();
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '`') {
      let name = '';
      let j = i + 1;
      for (; j < s.length; j += 1) {
        if (s[j] === '`') {
          if (s[j + 1] === '`') {
            name += '`';
            j += 1;
            continue;
          }
          break;
        }
        name += s[j];
      }
      if (j >= s.length) return undefined;
      out.push(quoteIdent(name));
      i = j + 1;
      continue;
    }
    if (ch === "'") {
      const m = /^'(?:[^'\\]|'')*'/.exec(s.slice(i));
      // A backslash is an escape in MySQL but a plain character in SQLite: leave such checks alone.
      if (!m || s[i + m[0].length] === '\\') return undefined;
      out.push(m[0]);
      i += m[0].length;
      continue;
    }
    const num = /^\d+(\.\d+)?(e[+-]?\d+)?/i.exec(s.slice(i));
    if (num) {
      out.push(num[0]);
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (word) {
      const w = word[0];
      const after = s.slice(i + w.length).trimStart();
      if (after.startsWith('(')) {
        const fn = FUNCTIONS[w.toLowerCase()];
        if (!fn) return undefined;
        calls.add(out.length);
        out.push(fn);
      } else if (WORDS.has(w.toUpperCase())) {
        out.push(w.toUpperCase());
      } else {
        return undefined;
      }
      i += w.length;
      continue;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (!op) return undefined;
    out.push(op === '<=>' ? 'IS' : op);
    i += op.length;
  }
  let sql = '';
  out.forEach((token, k) => {
    const glued = k === 0 || token === ')' || token === ',' || out[k - 1] === '(' || calls.has(k - 1);
    sql += glued ? token : ' ' + token;
  });
  return sql;
}
