// Redis glob patterns (the syntax of SCAN MATCH and KEYS: *, ?, [abc], [^a], [a-z], \x) as a
// RegExp over a key's bytes read as latin1, so binary keys match exactly as Redis matches them.

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
        i = end;
      }
    } else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether the key's bytes match any of the patterns. */
export function matchesAny(key: Buffer, patterns: readonly RegExp[]): boolean {
  if (patterns.length === 0) return false;
  const text = key.toString('latin1');
  return patterns.some((p) => p.test(text));
}
