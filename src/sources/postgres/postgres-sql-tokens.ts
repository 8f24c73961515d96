// Tokens of the expressions PostgreSQL deparses: strings (with E'' escapes), quoted and bare
// identifiers, numbers, operators and punctuation, each with its position in the source.

export class ParseError extends Error {}

export type Token =
  | { t: 'str'; v: string; start: number; end: number }
  | { t: 'num'; v: string; start: number; end: number }
  | { t: 'ident'; v: string; quoted: boolean; start: number; end: number }
  | { t: 'op'; v: string; start: number; end: number }
  | { t: 'punct'; v: string; start: number; end: number };

const OP_CHARS = '+-*/<>=~!@#%^&|`?';

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || ((c === 'E' || c === 'e') && src[i + 1] === "'")) {
      const escaped = c !== "'";
      i += escaped ? 2 : 1;
      let v = '';
      for (;;) {
        if (i >= src.length) throw new ParseError('unterminated string');
        const ch = src[i];
        if (ch === "'" && src[i + 1] === "'") { v += "'"; i += 2; continue; }
        if (ch === "'") { i++; break; }
        if (escaped && ch === '\\') {
          const next = src[i + 1];
          v += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
          i += 2;
          continue;
        }
        v += ch;
        i++;
      }
      out.push({ t: 'str', v, start, end: i });
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ParseError('unterminated identifier');
        if (src[i] === '"' && src[i + 1] === '"') { v += '"'; i += 2; continue; }
        if (src[i] === '"') { i++; break; }
        v += src[i++];
      }
      out.push({ t: 'ident', v, quoted: true, start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
      i += m![0].length;
      out.push({ t: 'num', v: m![0], start, end: i });
    } else if (/[\p{L}_]/u.test(c)) {
      const m = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(src.slice(i));
      i += m![0].length;
      out.push({ t: 'ident', v: m![0], quoted: false, start, end: i });
    } else if (c === ':' && src[i + 1] === ':') {
      i += 2;
      out.push({ t: 'op', v: '::', start, end: i });
    } else if (OP_CHARS.includes(c)) {
      while (i < src.length && OP_CHARS.includes(src[i])) i++;
      out.push({ t: 'op', v: src.slice(start, i), start, end: i });
    } else if ('()[],.;'.includes(c)) {
      i++;
      out.push({ t: 'punct', v: c, start, end: i });
    } else {
      throw new ParseError(`unexpected character '${c}'`);
    }
  }
  return out;
}
