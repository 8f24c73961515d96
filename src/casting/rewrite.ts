// URL rewrite rules (flarelift.toml `[[rewrite]] from = … to = …`): text values that name a
// bucket's old public URL get the new one as they are copied, e.g. S3 attachment URLs in a
// helpdesk's MySQL column become the R2 custom domain's. A rewrite is declared like a cast, with
// its inverse beside it: copy writes rewrite(value), verify compares the target with
// rewrite(source value), and `inverse` turns a rewritten value back (exact while the source's
// text does not already hold a `to` prefix, which plan reports).

export interface RewriteRule {
  from: string;
  to: string;
  /** Only these `table.column`s; all text columns when absent. */
  columns?: string[];
}

/** Every occurrence of each rule's `from` replaced by its `to` (rules applied in order). */
export function rewriteText(value: string, rules: readonly RewriteRule[]): string {
  let out = value;
  for (const r of rules) if (out.includes(r.from)) out = out.split(r.from).join(r.to);
  return out;
}

/** The inverse: each `to` back to its `from`, rules in reverse order. */
export function unrewriteText(value: string, rules: readonly RewriteRule[]): string {
  let out = value;
  for (const r of [...rules].reverse()) if (r.to && out.includes(r.to)) out = out.split(r.to).join(r.from);
  return out;
}

/** The rules that apply to `table.column`. */
export function rewritesFor(rules: readonly RewriteRule[], table: string, column: string): RewriteRule[] {
  const name = `${table}.${column}`.toLowerCase();
  return rules.filter((r) => !r.columns || r.columns.some((c) => c.toLowerCase() === name));
}
