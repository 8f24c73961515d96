#!/usr/bin/env node
// In a checkout (src/ present, tsx installed) run the TypeScript sources so the CLI never lags
// behind them; an installed package runs its compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
let entry = new URL('../dist/cli/main.js', import.meta.url).href;
if (existsSync(src)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = new URL('../src/cli/main.ts', import.meta.url).href;
  } catch {
    // tsx is a dev dependency: without it, fall back to dist/.
  }
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
