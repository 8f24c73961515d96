// The reliability suite's tools: the real CLI as a child process whose JSON events can be
// watched (to act at a known point of a run: kill it, cut its connection), a time bound on every
// run (a hang fails the test instead of stalling the suite), and fresh scratch directories.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './cli.js';
import { REPO_ROOT } from './env.js';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout lines that are JSON objects (--json events and summaries). */
  events: Record<string, unknown>[];
}

export interface Running {
  child: ChildProcess;
  /** Resolves with the first event that satisfies `when`. */
  event(when: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  done: Promise<Run>;
}

/** Bound on one CLI run: a run that hangs fails the test with what it printed so far. */
const RUN_BOUND_MS = 60_000;

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', FLARELIFT_SOURCES: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const watchers: { when: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let stdout = '';
  let stderr = '';
  let buffer = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => {
    stdout += d;
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      events.push(e);
      for (const w of watchers.splice(0)) {
        if (w.when(e)) w.resolve(e);
        else watchers.push(w);
      }
    }
  });
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flarelift ${args.join(' ')} still running after ${RUN_BOUND_MS / 1000}s; stderr: ${stderr.slice(-500)}`));
    }, RUN_BOUND_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, events });
    });
  });
  return {
    child,
    done,
    event: (when) =>
      new Promise((resolve, reject) => {
        const seen = events.find(when);
        if (seen) return resolve(seen);
        watchers.push({ when, resolve });
        done.then(() => reject(new Error(`the run ended without the awaited event; stderr: ${stderr.slice(-500)}`)), reject);
      }),
  };
}

export const runCliBounded = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => startCli(args, options).done;

export const scratch = (label: string) => mkdtempSync(path.join(os.tmpdir(), `flarelift-rel-${label}-`));

/** stderr's lines (without empty ones). */
export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

export interface StallingProxy {
  port: number;
  /** Stops forwarding (both ways) without closing: what arrives is held back. */
  stall(): void;
  /** Forwards again, held-back bytes first. */
  flow(): void;
  close(): void;
}

/** A TCP proxy to 127.0.0.1:`port` that can be told to stop forwarding and to start again. */
export function stallingProxy(port: number): Promise<StallingProxy> {
  let stalled = false;
  const held: [net.Socket, Buffer][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    const forward = (to: net.Socket) => (d: Buffer) => (stalled ? held.push([to, d]) : to.write(d));
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        stall: () => (stalled = true),
        flow: () => {
          stalled = false;
          for (const [to, d] of held.splice(0)) if (!to.destroyed) to.write(d);
        },
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}
