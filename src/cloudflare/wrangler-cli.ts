// Running the user's wrangler, for every Cloudflare target (D1 remote today, KV and R2 next):
// the project's own (node_modules/.bin, found upwards from the Worker project), else one on
// PATH. FLARELIFT_WRANGLER names another executable (tests use it to put a fake remote D1 in
// place).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
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
 * directory was then deleted was seen spinning at 3 GB. Its first argument says where wrangler's
 * stdin comes from: 'none', or 'fd3' — what flarelift writes to this process's fd 3, relayed by
 * cat into a real pipe (Node's stdio pipes are sockets, which /dev/stdin cannot open). A wrangler
 * started early to wait for its SQL runs at a lower priority (nice 10): it loads while the copy
 * runs, and took CPU from the source's server when it ran beside it (measured on 2 cores).
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [input, cmd, ...args] = process.argv.slice(1);
if (input === 'fd3') { try { require('node:os').setPriority(10); } catch {} }
const child = input === 'fd3'
  ? spawn('sh', ['-c', 'cat <&3 | exec "$0" "$@"', cmd, ...args], { stdio: ['ignore', 'inherit', 'inherit', 3], detached: true })
  : spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} process.exit(1); };
process.stdin.on('end', killGroup);
process.stdin.on('error', killGroup);
process.stdin.resume();
process.on('SIGTERM', killGroup);
child.on('error', (e) => { process.stderr.write(String(e && e.message) + '\\n'); process.exit(1); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

/**
 * wrangler reads a --file twice: first its opening 15 bytes (to refuse a binary SQLite file),
 * then the whole file. From a pipe the first read takes those bytes away, so a 15-byte SQL comment
 * goes first; should a wrangler not look first, the comment is only part of the SQL.
 */
const FILE_PROBE_PAD = '/* flarelift */';

/** A wrangler query started before its SQL is known (see Wrangler.prepareQuery). */
export interface PreparedQuery {
  /** Hands wrangler the SQL; resolves with the rows of each statement. */
  send(sql: string): Promise<Record<string, unknown>[][]>;
}

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
    return this.start(args, what, signal).result;
  }

  /** `wrangler d1 execute … --json --command <sql>`: the rows of each statement (separated by ';'). */
  async queryAll(baseArgs: string[], sql: string, what: string, signal?: AbortSignal): Promise<Record<string, unknown>[][]> {
    const { stdout } = await this.run([...baseArgs, '--json', '--command', sql], what, signal);
    return parseResults(stdout, what);
  }

  /**
   * `wrangler d1 execute … --json --file /dev/stdin`, started now: wrangler loads and starts its
   * workerd (about 1.5 s of CPU) while flarelift does other work, then waits for the SQL, which
   * `send` gives it. Undefined where there is no /dev/stdin (Windows): ask with queryAll then.
   */
  prepareQuery(baseArgs: string[], what: string, signal: AbortSignal): PreparedQuery | undefined {
    if (process.platform === 'win32') return undefined;
    const { result, input } = this.start([...baseArgs, '--json', '--file', '/dev/stdin'], what, signal, true);
    input!.write(FILE_PROBE_PAD);
    result.catch(() => undefined); // awaited by send(); never unhandled meanwhile
    return {
      async send(sql) {
        input!.end(sql);
        return parseResults((await result).stdout, what);
      },
    };
  }

  private start(args: string[], what: string, signal: AbortSignal | undefined, withInput = false): { result: Promise<WranglerResult>; input?: Writable } {
    // Unattended calls: no telemetry prompt or upload unless the user asked for it.
    const env = { ...process.env, WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false' };
    const [file, argv] = signal ? [process.execPath, ['-e', WATCHDOG, '--', withInput ? 'fd3' : 'none', this.executable, ...args]] : [this.executable, args];
    const child = spawn(file, argv, { cwd: this.cwd, env, signal, stdio: withInput ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'] });
    const input = withInput ? (child.stdio[3] as Writable) : undefined;
    input?.on('error', () => undefined); // wrangler gone early: its exit says why
    // 'close' waits for every stdio stream, and flarelift's end of fd 3 does not see the far end go.
    child.on('exit', () => input?.destroy());
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const result = new Promise<WranglerResult>((resolve, reject) => {
      let failure: Error | undefined;
      child.on('error', (e) => (failure = e));
      child.on('close', (code) => {
        if (code === 0 && !failure) return resolve({ stdout, stderr });
        const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.replace(ANSI_COLOR, '').trim());
        const reason = lines.filter((l) => /error|✘|failed/i.test(l)).pop() ?? lines.filter(Boolean).pop() ?? failure?.message ?? `exit code ${code}`;
        reject(new UserError(`wrangler failed ${what}: ${reason}`));
      });
    });
    return { result, input };
  }

  /** The rows of the last statement. */
  async query(baseArgs: string[], sql: string, what: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    return lastStatement(await this.queryAll(baseArgs, sql, what, signal));
  }
}

/** The rows of the last statement of a queryAll or PreparedQuery answer. */
export function lastStatement(all: Record<string, unknown>[][]): Record<string, unknown>[] {
  return all[all.length - 1] ?? [];
}

/** wrangler's --json answer: the rows of each statement. */
function parseResults(stdout: string, what: string): Record<string, unknown>[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(stdout.indexOf('[')));
  } catch {
    throw new Error(`wrangler printed no JSON ${what}: ${stdout.slice(0, 200)}`);
  }
  return (Array.isArray(parsed) ? (parsed as { results?: Record<string, unknown>[] }[]) : []).map((r) => r.results ?? []);
}
