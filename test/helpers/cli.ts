// Runs the real CLI entry point (bin/flarelift.js) as a user would, on the sources (FLARELIFT_SOURCES=1:
// a test never runs a build of them).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './env.js';

export const BIN = path.join(REPO_ROOT, 'bin/flarelift.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_SOURCES: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
