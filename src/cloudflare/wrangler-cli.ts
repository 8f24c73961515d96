// Running the user's wrangler, for every Cloudflare target (D1 remote today, KV and R2 next):
// the project's own (node_modules/.bin, found upwards from the Worker project), else one on
// PATH. FLARELIFT_WRANGLER names another executable (tests use it to put a fake remote D1 in
// place).
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findUpBin(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', 'wrangler');
    if (executable(bin)) return bin;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'wrangler'))) return path.join(dir, 'wrangler');
  }
  return undefined;
}

/** The wrangler executable to run for a project in `projectDir`, or undefined when there is none. */
export function findWrangler(projectDir: string, cwd: string = process.cwd()): string | undefined {
  const chosen = process.env.FLARELIFT_WRANGLER;
  if (chosen) return path.resolve(cwd, chosen);
  return findUpBin(projectDir) ?? findUpBin(cwd) ?? onPath();
}

// wrangler colours its errors; the message is quoted without the escape codes.
const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Runs beside the copy (`node -e`, so no module to resolve from a build or the sources): starts
 * wrangler in a process group of its own and, when flarelift goes away without waiting for it
 * (SIGKILL closes this process's stdin) or stops it (SIGTERM), kills that group: wrangler and the
 * workerd it started. Without it a wrangler read-back outlived a killed copy, and one whose
 * directory was then deleted was seen spinning at 3 GB.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} process.exit(1); };
process.stdin.on('end', killGroup);
process.stdin.on('error', killGroup);
process.stdin.resume();
process.on('SIGTERM', killGroup);
child.on('error', (e) => { process.stderr.write(String(e && e.message) + '\\n'); process.exit(1); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

export interface WranglerResult {
  stdout: string;
  stderr: string;
}

export class Wrangler {
  constructor(
    readonly executable: string,
    private readonly cwd: string,
  ) {}

  /**
   * Runs wrangler with `args`; a non-zero exit becomes a UserError quoting wrangler's last error
   * line. With a `signal` (a run beside other work, which may be stopped or killed) it runs under
   * the watchdog above, so it never outlives flarelift.
   */
  run(args: string[], what: string, signal?: AbortSignal): Promise<WranglerResult> {
    // Unattended calls: no telemetry prompt or upload unless the user asked for it.
    const env = { ...process.env, WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false' };
    const [file, argv] = signal ? [process.execPath, ['-e', WATCHDOG, '--', this.executable, ...args]] : [this.executable, args];
    return new Promise((resolve, reject) => {
      execFile(file, argv, { cwd: this.cwd, env, maxBuffer: 256 * 1024 * 1024, signal }, (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.replace(ANSI_COLOR, '').trim());
        const reason = lines.filter((l) => /error|✘|failed/i.test(l)).pop() ?? lines.filter(Boolean).pop() ?? error.message;
        reject(new UserError(`wrangler failed ${what}: ${reason}`));
      });
    });
  }

  /** `wrangler d1 execute … --json --command <sql>`: the rows of each statement (separated by ';'). */
  async queryAll(baseArgs: string[], sql: string, what: string, signal?: AbortSignal): Promise<Record<string, unknown>[][]> {
    const { stdout } = await this.run([...baseArgs, '--json', '--command', sql], what, signal);
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout.slice(stdout.indexOf('[')));
    } catch {
      throw new Error(`wrangler printed no JSON ${what}: ${stdout.slice(0, 200)}`);
    }
    return (Array.isArray(parsed) ? (parsed as { results?: Record<string, unknown>[] }[]) : []).map((r) => r.results ?? []);
  }

  /** The rows of the last statement. */
  async query(baseArgs: string[], sql: string, what: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const all = await this.queryAll(baseArgs, sql, what, signal);
    return all[all.length - 1] ?? [];
  }
}
