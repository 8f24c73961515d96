// Walks a backend directory and reads every Python and JS/TS file with its real parser, plus
// .env files, crontab files and a built front end: one CodeScan for the whole backend.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { readEnvFiles } from './env-files.js';
import { scanJs } from './js-scan.js';
import { parsePython, type PySource } from './python-ast.js';
import { pythonFindings } from './python-findings.js';
import { celeryTimezone, pythonJobs } from './python-jobs.js';
import { emptyScan, type CodeScan } from './types.js';
import { normaliseWeekdays } from './weekdays.js';

const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', 'env', '__pycache__', '.wrangler', 'dist', 'build', '.next', 'site-packages', 'migrations', '.tox', 'coverage']);
const JS_EXT = /\.(m|c)?(j|t)sx?$/;
/** Directories holding a built single-page front end, in the order frameworks put them. */
const SPA_DIRS = ['frontend/dist', 'frontend/build', 'client/dist', 'client/build', 'web/dist', 'dist', 'build', 'static/dist', 'public'];
/** Larger files are generated or vendored code, not the backend's own. */
const MAX_FILE_BYTES = 1024 * 1024;

export interface BackendScan extends CodeScan {
  dir: string;
  languages: Set<'python' | 'js'>;
  /** Built front end (relative to the backend) with an index.html. */
  spaDir?: string;
  files: number;
}

function walk(dir: string, rel = '', out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(dir, r, out);
    } else if (entry.isFile()) out.push(r);
  }
  return out;
}

/** Lines of a crontab file: five fields and a command. */
function crontabJobs(scan: CodeScan, file: string, text: string): void {
  let zone: string | undefined;
  text.split(/\r?\n/).forEach((l, i) => {
    const tz = /^\s*(CRON_TZ|TZ)\s*=\s*(\S+)/.exec(l);
    if (tz) zone = tz[2];
    const m = /^\s*([^#\s]\S*)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(l);
    if (!m || tz || /=/.test(m[1]!)) return;
    const command = m[6]!.trim();
    scan.jobs.push({
      name: command.split(/\s+/).slice(0, 3).join(' '),
      via: 'crontab',
      schedule: { kind: 'cron', second: '0', minute: m[1]!, hour: m[2]!, dayOfMonth: m[3]!, month: m[4]!, dayOfWeek: normaliseWeekdays(m[5]!, 'crontab') },
      timezone: zone,
      described: l.trim(),
      at: { file, line: i + 1 },
    });
  });
}

export async function scanBackend(dir: string): Promise<BackendScan> {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UserError(`no such directory: ${dir} — pass the backend's source folder to --dir`);
  }
  if (!st.isDirectory()) throw new UserError(`${dir} is not a directory — pass the backend's source folder to --dir`);
  const scan: BackendScan = { ...emptyScan(), dir, languages: new Set(), files: 0 };
  const files = walk(dir).filter((f) => statSync(path.join(dir, f)).size <= MAX_FILE_BYTES);
  const seen = new Set<string>();
  const python: { file: string; src: PySource }[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    if (file.endsWith('.py')) {
      python.push({ file, src: await parsePython(readFileSync(full, 'utf8')) });
      scan.languages.add('python');
    } else if (JS_EXT.test(file) && !file.endsWith('.d.ts')) {
      await scanJs(scan, file, readFileSync(full, 'utf8'), seen);
      scan.languages.add('js');
    } else if (/(^|\/)crontab$|\.cron$|(^|\/)cron\.d\//.test(file)) crontabJobs(scan, file, readFileSync(full, 'utf8'));
    else continue;
    scan.files++;
  }
  const celeryTz = python.map((p) => celeryTimezone(p.src)).find(Boolean);
  for (const { file, src } of python) {
    pythonJobs({ file, src, celeryTimezone: celeryTz, jobs: scan.jobs, findings: scan.findings });
    pythonFindings(scan, file, src, seen);
  }
  // Last, so .env values override the defaults written in the code.
  scan.settings.push(...readEnvFiles(dir));
  scan.spaDir = SPA_DIRS.find((d) => existsSync(path.join(dir, d, 'index.html')));
  if (scan.settings.some((s) => /^(DATABASE_URL|DB_URL)$/.test(s.name))) scan.features.add('database');
  return scan;
}
