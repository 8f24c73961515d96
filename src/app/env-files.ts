// `.env` files: KEY=value lines (dotenv syntax: `export`, quotes, `#` comments). Example files
// (.env.example, .sample, .template, .dist) give names only: their values are placeholders.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Setting } from './types.js';

const EXAMPLE = /\.(example|sample|template|dist|defaults)$/;

export function parseDotenv(text: string, file: string, withValues: boolean): Setting[] {
  const out: Setting[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let raw = m[2]!;
    let value: string;
    const q = raw[0];
    if (q === '"' || q === "'" || q === '`') {
      // A quoted value may span lines until its closing quote.
      while (raw.lastIndexOf(q) === 0 && i + 1 < lines.length) raw += `\n${lines[++i]}`;
      value = raw.slice(1, raw.lastIndexOf(q));
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    } else value = raw.replace(/\s+#.*$/, '').trim();
    out.push({ name: m[1]!, value: withValues ? value : undefined, from: { file, line: i + 1 } });
  }
  return out;
}

/** The .env files at the top of the backend, general ones first so more specific ones override. */
export function readEnvFiles(dir: string): Setting[] {
  const names = readdirSync(dir)
    .filter((n) => n === '.env' || n.startsWith('.env.'))
    .sort((a, b) => (a === '.env' ? -1 : b === '.env' ? 1 : Number(EXAMPLE.test(b)) - Number(EXAMPLE.test(a)) || a.localeCompare(b)));
  return names.flatMap((n) => parseDotenv(readFileSync(path.join(dir, n), 'utf8'), n, !EXAMPLE.test(n)));
}
