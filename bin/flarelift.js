#!/usr/bin/env node
// The CLI: compiled dist/ when it is current, else the TypeScript sources through tsx (entry.js
// says which and why; FLARELIFT_DEBUG_ENTRY=1 prints it).
import { fileURLToPath } from 'node:url';
import { chooseEntry } from './entry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const choice = chooseEntry(root);
if (process.env.FLARELIFT_DEBUG_ENTRY === '1') process.stderr.write(`flarelift: running ${choice.run} (${choice.why})\n`);
let entry = new URL('../dist/cli/main.js', import.meta.url).href;
if (choice.run === 'sources') {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = new URL('../src/cli/main.ts', import.meta.url).href;
  } catch {
    // tsx is a dev dependency: without it, the last build is all there is.
  }
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
