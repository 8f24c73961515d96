// The plan's findings about password-hash columns: one per column and kind of problem, each
// with the counts, parameters, measured CPU time and the fix.
import type { Finding } from '../catalog/findings.js';
import { WORKERS_PBKDF2_MAX_ITERATIONS } from '../runtime/formats.js';
import type { HashFormatReport, PasswordHashColumn } from './hash-readiness.js';

const WORKERS_FREE_CPU_MS = 10;
const WORKERS_PAID_DEFAULT_CPU_S = 30;
const REHASH = 'rehash on the next successful login with flarelift/runtime (`needsRehash` then `hashPassword`, PBKDF2-SHA256 at 100,000 iterations, optionally peppered)';

const n = (x: number) => x.toLocaleString('en-US');

function params(f: HashFormatReport): string {
  if (f.iterations) return ` at ${f.iterations.map(n).join(', ')} iterations`;
  if (f.cost) return ` at cost ${f.cost.join(', ')}`;
  return '';
}

function cpu(f: HashFormatReport): string {
  if (f.verifyCpuMs === undefined) return '';
  const budget = f.verifyCpuMs > WORKERS_FREE_CPU_MS ? 'over' : 'within';
  return `; one verification with flarelift/runtime took ${f.verifyCpuMs} ms of CPU measured here, ${budget} the free plan's ${WORKERS_FREE_CPU_MS} ms per request (paid plan: ${WORKERS_PAID_DEFAULT_CPU_S} s by default)`;
}

function summary(c: PasswordHashColumn, formats: HashFormatReport[]): string {
  const parts = formats.map((f) => `${n(f.count)} ${f.format} hash${f.count === 1 ? '' : 'es'}${params(f)}`);
  return `${parts.join(', ')} (of ${n(c.sampledRows)} sampled rows)`;
}

interface Rule {
  code: string;
  severity: Finding['severity'];
  applies: (f: HashFormatReport) => boolean;
  says: string;
  fix: string;
  /** Say the measured CPU time (not for digests: microseconds, and noise in reviewed snapshots). */
  cpu: boolean;
}

/** Formats the runtime verifies in JavaScript: the CPU time decides the plan, rehashing ends it. */
function inJavaScript(code: string, applies: Rule['applies'], says: string): Rule {
  return { code, severity: 'warning', applies, says, fix: `verify with flarelift/runtime's verifyPassword on the paid plan, and ${REHASH}`, cpu: true };
}

const RULES: Rule[] = [
  {
    code: 'password-hash-unverifiable',
    severity: 'warning',
    applies: (f) => !f.verifiable,
    says: 'cannot be verified in a Worker: the runtime has no argon2, and a JS argon2 at these memory costs does not fit a request',
    fix: 'rehash on the old backend at login before the move (to PBKDF2-SHA256 ≤ 100,000 iterations or bcrypt), or send these users through a password reset',
    cpu: false,
  },
  inJavaScript(
    'password-hash-over-workers-pbkdf2-cap',
    (f) => f.kind === 'pbkdf2' && !f.workersOneCall,
    `production Workers cannot verify them in one call (crypto.subtle PBKDF2 refuses more than ${n(WORKERS_PBKDF2_MAX_ITERATIONS)} iterations per deriveBits; local wrangler dev does not); flarelift/runtime computes them in JavaScript`,
  ),
  inJavaScript('password-hash-bcrypt', (f) => f.kind === 'bcrypt', 'bcrypt exists in a Worker only as JavaScript; flarelift/runtime verifies it'),
  inJavaScript('password-hash-scrypt', (f) => f.kind === 'scrypt', 'scrypt exists in a Worker only as JavaScript (memory 128·N·r bytes of the 128 MB); flarelift/runtime verifies it'),
  {
    code: 'password-hash-weak',
    severity: 'warning',
    applies: (f) => f.kind === 'digest',
    says: 'single MD5/SHA-1 digests, cheap to verify and cheap to crack',
    fix: `${REHASH}; consider a password reset for accounts that do not log in soon`,
    cpu: false,
  },
  {
    code: 'password-hash-workers-ready',
    severity: 'info',
    applies: (f) => f.kind === 'pbkdf2' && f.workersOneCall,
    says: `production Workers verify them in one native PBKDF2 call (at most ${n(WORKERS_PBKDF2_MAX_ITERATIONS)} iterations)`,
    fix: "nothing blocks the move: verify with flarelift/runtime's verifyPassword; rehashing to the native format on login is optional",
    cpu: true,
  },
];

export function passwordHashFindings(columns: PasswordHashColumn[]): Finding[] {
  const out: Finding[] = [];
  for (const c of columns) {
    for (const rule of RULES) {
      const formats = c.formats.filter(rule.applies);
      if (formats.length === 0) continue;
      const slowest = formats.reduce((a, b) => ((b.verifyCpuMs ?? 0) > (a.verifyCpuMs ?? 0) ? b : a));
      out.push({
        severity: rule.severity,
        code: rule.code,
        object: `${c.table}.${c.column}`,
        message: `${summary(c, formats)}: ${rule.says}${rule.cpu ? cpu(slowest) : ''}`,
        fix: rule.fix,
      });
    }
  }
  return out;
}
