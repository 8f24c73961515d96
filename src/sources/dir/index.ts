// The directory source kind: `dir:<path>`, or a path that is a directory (a Django MEDIA_ROOT, a
// built SPA). Each file is an object keyed by its path relative to the directory, with '/'.
import { statSync } from 'node:fs';
import type { SourceEngine } from '../source.js';
import type { UnitSource } from '../unit-source.js';

const OTHER_SCHEME = /^(?![a-z]:[\\/])[a-z][a-z0-9+.-]*:/i;

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const dirEngine: SourceEngine<UnitSource> = {
  engine: 'dir',
  forms: ['dir:<path> (a directory of files)'],
  accepts(spec: string): boolean {
    if (/^dir:/i.test(spec)) return true;
    return !OTHER_SCHEME.test(spec) && isDirectory(spec);
  },
  async open(spec: string) {
    return (await import('./dir-source.js')).openDirSource(spec.replace(/^dir:/i, ''));
  },
};
