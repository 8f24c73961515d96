// Reading Python with the Lezer grammar (@lezer/python, pure JS, loaded only by `flarelift app`):
// syntax-tree helpers for calls, arguments and literals.
import type { SyntaxNode, Tree } from '@lezer/common';

export type { SyntaxNode };

export interface PySource {
  text: string;
  tree: Tree;
  /** 1-based line of an offset. */
  line(pos: number): number;
  of(node: SyntaxNode): string;
}

export async function parsePython(text: string): Promise<PySource> {
  const { parser } = await import('@lezer/python');
  const tree = parser.parse(text);
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const line = (pos: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return { text, tree, line, of: (n) => text.slice(n.from, n.to) };
}

/** Every node of the given type names, in document order. */
export function findAll(src: PySource, names: readonly string[]): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  src.tree.iterate({ enter: (n) => void (names.includes(n.name) && out.push(n.node)) });
  return out;
}

export const children = (n: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};

/** A dotted name for a callee or decorator: `sched.add_job`, `schedule.every`. Calls inside are left as `()`. */
export function dottedName(src: PySource, n: SyntaxNode): string {
  if (n.name === 'VariableName' || n.name === 'PropertyName') return src.of(n);
  if (n.name === 'MemberExpression') return children(n).map((c) => (c.name === '.' ? '.' : dottedName(src, c))).join('');
  if (n.name === 'CallExpression') return `${dottedName(src, n.firstChild!)}()`;
  return src.of(n);
}

export interface PyArgs {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

/** Arguments of an ArgList node (`*args` / `**kwargs` are skipped). */
export function argsOf(argList: SyntaxNode | null, src: PySource): PyArgs {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  if (!argList) return { positional, keywords };
  const parts = children(argList).filter((c) => !['(', ')'].includes(c.name));
  let current: SyntaxNode[] = [];
  const flush = (): void => {
    if (current.length === 3 && current[1]!.name === 'AssignOp') keywords.set(src.of(current[0]!), current[2]!);
    else if (current.length === 1) positional.push(current[0]!);
    current = [];
  };
  for (const p of parts) {
    if (p.name === ',') flush();
    else current.push(p);
  }
  flush();
  return { positional, keywords };
}

/** The value of a literal: strings (plain prefixes), numbers, simple arithmetic, True/False/None. */
export function literal(src: PySource, n: SyntaxNode | undefined): string | number | boolean | null | undefined {
  if (!n) return undefined;
  const t = src.of(n);
  switch (n.name) {
    case 'String': {
      const m = /^([rRuUbB]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(t);
      if (!m || /f/i.test(m[1]!)) return undefined;
      return /r/i.test(m[1]!) ? m[3]! : m[3]!.replace(/\\(.)/g, '$1');
    }
    case 'Number':
      return Number(t.replace(/_/g, ''));
    case 'Boolean':
      return t === 'True';
    case 'None':
      return null;
    case 'ParenthesizedExpression':
      return literal(src, children(n)[1]);
    case 'BinaryExpression': {
      const [a, op, b] = children(n);
      const x = literal(src, a);
      const y = literal(src, b);
      if (typeof x !== 'number' || typeof y !== 'number' || !op) return undefined;
      const o = src.of(op);
      return o === '*' ? x * y : o === '+' ? x + y : o === '-' ? x - y : o === '/' ? x / y : undefined;
    }
    default:
      return undefined;
  }
}

/** Entries of a `{...}` dict literal or `dict(a=...)` call, keyed by their literal string keys. */
export function dictEntries(src: PySource, n: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  if (n.name === 'CallExpression' && src.of(n.firstChild!) === 'dict') return argsOf(n.getChild('ArgList'), src).keywords;
  if (n.name !== 'DictionaryExpression') return out;
  const parts = children(n).filter((c) => !['{', '}', ','].includes(c.name));
  for (let i = 0; i + 2 < parts.length + 1; i += 3) {
    const key = literal(src, parts[i]);
    if (parts[i + 1]?.name === ':' && typeof key === 'string' && parts[i + 2]) out.set(key, parts[i + 2]!);
  }
  return out;
}
