// Starts the local S3-compatible server (s3-server-child.mjs) in its own process and gives its
// endpoint, the credentials it accepts, and what it served and stored.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './env.js';

const CHILD = fileURLToPath(new URL('./s3-server-child.mjs', import.meta.url));

export interface S3ServerStats {
  requests: number;
  gets: { path: string; bytes: number }[];
  getBytes: number;
  /** The '/bucket/key' of every PUT (whole objects, parts, buckets), in order. */
  puts: string[];
}

export interface S3Server {
  endpoint: string;
  env: Record<string, string>;
  stats(): Promise<S3ServerStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-s3-'));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`the S3 server exited (${code})`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    stats: async () => (await (await fetch(`${endpoint}/__stats`)).json()) as S3ServerStats,
    reset: async () => void (await fetch(`${endpoint}/__reset`)).text(),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
