// Plain-text tables for summaries (pgloader style): columns padded, numbers right-aligned.

export function textTable(header: string[], rows: (string | number)[][], footer?: (string | number)[]): string {
  const all = [header, ...rows, ...(footer ? [footer] : [])].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = [line(all[0]!), rule, ...all.slice(1, rows.length + 1).map(line)];
  if (footer) body.push(rule, line(all[all.length - 1]!));
  return body.join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');
