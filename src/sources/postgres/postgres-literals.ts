// Constant forms inside deparsed expressions: LIKE patterns (as SQLite GLOB patterns) and
// one-dimensional array literals ('{a,b}'::text[]).

export class Untranslatable extends Error {}

export const fail = (reason: string): never => {
  throw new Untranslatable(reason);
};

/** A LIKE pattern (backslash escapes) as a GLOB pattern. */
export function likeToGlob(like: string): string {
  let out = '';
  for (let i = 0; i < like.length; i++) {
    const ch = like[i];
    if (ch === '\\' && i + 1 < like.length) {
      out += globLiteral(like[++i]);
    } else if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else out += globLiteral(ch);
  }
  return out;
}

function globLiteral(ch: string): string {
  return ch === '*' || ch === '?' || ch === '[' ? `[${ch}]` : ch;
}

/** Elements of a one-dimensional array literal such as {a,"b c",NULL}. */
export function parseArrayLiteral(text: string): string[] {
  const inner = text.trim();
  if (!inner.startsWith('{') || !inner.endsWith('}')) return fail('not an array literal');
  const body = inner.slice(1, -1);
  const items: string[] = [];
  let i = 0;
  while (i < body.length) {
    let v = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        v += body[i++];
      }
      i++;
    } else {
      while (i < body.length && body[i] !== ',') v += body[i++];
      if (v.trim().toUpperCase() === 'NULL' || v.includes('{')) fail('NULL or nested elements in an array literal');
      v = v.trim();
    }
    items.push(v);
    if (body[i] === ',') i++;
  }
  return items;
}
