// A Python backend's requirements against what Python Workers (Pyodide) can load. Pure-Python
// wheels install; packages with native code load only when Pyodide ships a build of them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './types.js';

/** Packages with native code that Pyodide builds and Python Workers provide (Pyodide 0.27's list, the common ones). */
const PYODIDE_NATIVE = new Set(['numpy', 'pandas', 'scipy', 'pydantic-core', 'pydantic', 'cryptography', 'lxml', 'pillow', 'regex', 'pyyaml', 'sqlalchemy', 'markupsafe', 'cffi', 'aiohttp', 'frozenlist', 'multidict', 'yarl', 'msgpack', 'orjson', 'ujson', 'zstandard', 'bcrypt', 'pynacl', 'argon2-cffi', 'scikit-learn', 'matplotlib', 'shapely', 'tiktoken', 'jiter', 'rpds-py', 'greenlet', 'wrapt', 'xxhash', 'bitarray', 'pycryptodome', 'python-magic', 'sqlite3', 'ssl', 'lz4', 'brotli', 'tzdata']);

/** Native packages Pyodide does not build, or that need processes, sockets or an event loop a Worker lacks. */
const NOT_PROVIDED: Record<string, string> = {
  psycopg2: 'a C extension linked to libpq; Workers reach PostgreSQL through Hyperdrive from JS, or move the data to D1',
  'psycopg2-binary': 'a C extension linked to libpq; use D1 (flarelift migrate) or Hyperdrive',
  psycopg: 'needs libpq or its C extension; use D1 or Hyperdrive',
  mysqlclient: 'a C extension linked to libmysqlclient; use D1 (flarelift migrate)',
  uvloop: 'a libuv event loop; the Worker runtime provides the loop',
  gevent: 'C greenlets and a libev loop; not available',
  grpcio: 'native gRPC core; use gRPC-web over fetch',
  uvicorn: 'an ASGI server process; the Worker runtime is the server',
  gunicorn: 'a pre-fork process server; the Worker runtime is the server',
  celery: 'a worker process pool; use Queues and Cron Triggers',
  pexpect: 'spawns processes on a pty; Workers have neither',
  psutil: 'reads the host OS; there is none',
  'confluent-kafka': 'librdkafka; not available',
  'mysql-connector-python': 'opens raw TCP to MySQL with its C extension; use D1',
  apscheduler: 'an in-process scheduler thread; replaced by the generated Cron Triggers and alarms',
  schedule: 'an in-process loop; replaced by the generated Cron Triggers and alarms',
  redis: 'opens raw TCP connections; use the KV binding (or a Redis HTTP API)',
  'python-socketio': 'a long-lived server; use a Durable Object with WebSocket hibernation',
  'flask-socketio': 'a long-lived server; use a Durable Object with WebSocket hibernation',
};

const norm = (name: string): string => name.toLowerCase().replace(/[_.]+/g, '-');

/** Requirement names from requirements*.txt and pyproject.toml ([project] dependencies). */
export async function readRequirements(dir: string): Promise<{ name: string; file: string; line: number }[]> {
  const out: { name: string; file: string; line: number }[] = [];
  for (const file of ['requirements.txt', 'requirements/base.txt', 'requirements/prod.txt']) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    readFileSync(full, 'utf8')
      .split(/\r?\n/)
      .forEach((l, i) => {
        const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(l.replace(/#.*/, ''));
        if (m && !l.trim().startsWith('-')) out.push({ name: norm(m[1]!), file, line: i + 1 });
      });
  }
  const pyproject = path.join(dir, 'pyproject.toml');
  if (existsSync(pyproject)) {
    const { parse } = await import('smol-toml');
    const doc = parse(readFileSync(pyproject, 'utf8')) as { project?: { dependencies?: string[] } };
    for (const dep of doc.project?.dependencies ?? []) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(dep);
      if (m) out.push({ name: norm(m[1]!), file: 'pyproject.toml', line: 0 });
    }
  }
  return out;
}

export interface PyodideCheck {
  /** Requirements Python Workers cannot load or run, with why. */
  unavailable: { name: string; reason: string }[];
  /** Requirements flarelift does not know: fine if they ship a pure-Python wheel. */
  unknown: string[];
  findings: Finding[];
}

export function checkPyodide(reqs: { name: string; file: string; line: number }[]): PyodideCheck {
  const check: PyodideCheck = { unavailable: [], unknown: [], findings: [] };
  for (const r of reqs) {
    const base = r.name.replace(/\[.*$/, '');
    const reason = NOT_PROVIDED[base];
    if (reason) {
      check.unavailable.push({ name: base, reason });
      check.findings.push({ severity: 'warning', code: 'pyodide', message: `requirement ${base} is not available to Python Workers: ${reason}`, docs: 'https://developers.cloudflare.com/workers/languages/python/packages/', at: { file: r.file, line: r.line } });
    } else if (!PYODIDE_NATIVE.has(base)) check.unknown.push(base);
  }
  return check;
}
