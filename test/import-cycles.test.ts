// No module of src/ reaches itself through its static imports (type imports included: a type
// circle is a design circle too). Dynamic import() is how drivers are loaded lazily, and does
// not count. The read-back of targets used to form a seven-file circle inside verify/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Static import/export-from specifiers of a file that point inside src/, as absolute .ts paths. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gms)].map((m) => m[1]);
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

export function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, staticImports(f)]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push(stack.slice(stack.indexOf(g)).map((p) => path.relative(SRC, p)));
      else if (!state.has(g) && graph.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

test('src/ has no import circle', () => {
  assert.deepEqual(importCycles(sources(SRC)), []);
});

// target-lock.ts is part of the contract: every target kind declares a lock file, and verify checks it.
test('verify/ imports no target internals, only the targets contracts and registry', () => {
  const allowed = new Set(['targets/reader.ts', 'targets/registry.ts', 'targets/target.ts', 'targets/unit-target.ts', 'targets/target-kind.ts', 'targets/target-lock.ts']);
  const bad = sources(path.join(SRC, 'verify')).flatMap((f) =>
    staticImports(f)
      .map((g) => path.relative(SRC, g))
      .filter((g) => g.startsWith('targets/') && !allowed.has(g))
      .map((g) => `${path.relative(SRC, f)} -> ${g}`),
  );
  assert.deepEqual(bad, []);
});
