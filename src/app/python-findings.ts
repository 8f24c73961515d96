// What a Python backend does that a Worker cannot, or does differently: read from imports and
// calls in the syntax tree. Each finding names the Cloudflare replacement. Also the settings the
// code reads (os.environ, getenv, pydantic-settings fields, Django settings constants).
import { argsOf, children, dottedName, findAll, literal, type PySource } from './python-ast.js';
import { FINDING_RULES, type FindingRule } from './finding-rules.js';
import type { CodeScan } from './types.js';

/** Python module (top-level package) → the rule it triggers. */
const MODULE_RULES: Record<string, string> = {
  socketio: 'websocket',
  flask_socketio: 'websocket',
  websockets: 'websocket',
  channels: 'websocket',
  cachetools: 'cache',
  aiocache: 'cache',
  subprocess: 'process',
  pexpect: 'process',
  multiprocessing: 'threads',
  threading: 'threads',
  smtplib: 'smtp',
  boto3: 'bucket',
  redis: 'redis',
  celery: 'queue',
  rq: 'queue',
};

/** Calls (dotted name endings) → rule. */
const CALL_RULES: [RegExp, string][] = [
  [/^os\.(system|popen|spawn\w*|exec\w*)$/, 'process'],
  [/(^|\.)ThreadPoolExecutor$|(^|\.)ProcessPoolExecutor$/, 'threads'],
  [/(^|\.)TTLCache$|(^|\.)LRUCache$/, 'cache'],
  [/(^|\.)send_mail$|(^|\.)SMTP(_SSL)?$/, 'smtp'],
  [/\.(incr|incrby|decr|hincrby)$/, 'redis-counter'],
  [/\.(lpush|rpush|brpop|blpop|rpoplpush|lpop|rpop)$/, 'redis-queue'],
  [/\.(publish|subscribe|psubscribe|pubsub)$/, 'redis-pubsub'],
  [/\.(lock)$/, 'redis-lock'],
];

function add(scan: CodeScan, seen: Set<string>, rule: FindingRule, file: string, line: number, what: string): void {
  if (rule.feature) scan.features.add(rule.feature);
  const key = `${rule.code}:${file}`;
  if (seen.has(key)) return;
  seen.add(key);
  scan.findings.push({ severity: rule.severity, code: rule.code, message: `${what}: ${rule.message}`, replacement: rule.replacement, docs: rule.docs, at: { file, line } });
}

function importedModules(src: PySource): { module: string; line: number }[] {
  const out: { module: string; line: number }[] = [];
  for (const n of findAll(src, ['ImportStatement'])) {
    const parts = children(n);
    const line = src.line(n.from);
    if (parts[0]?.name === 'from') {
      const first = parts[1];
      if (first?.name === 'VariableName') out.push({ module: src.of(first), line });
    } else {
      for (let i = 1; i < parts.length; i++) {
        const prev = parts[i - 1]!.name;
        if (parts[i]!.name === 'VariableName' && (prev === 'import' || prev === ',')) out.push({ module: src.of(parts[i]!), line });
      }
    }
  }
  return out;
}

/** `open(path, 'w' | 'a' | 'x' ...)`: a write to local disk. */
function isFileWrite(src: PySource, call: ReturnType<typeof findAll>[number], callee: string): boolean {
  if (callee !== 'open' && !callee.endsWith('.write_text') && !callee.endsWith('.write_bytes')) return false;
  if (callee !== 'open') return true;
  const a = argsOf(call.getChild('ArgList'), src);
  const mode = literal(src, a.positional[1] ?? a.keywords.get('mode'));
  return typeof mode === 'string' && /[wax+]/.test(mode);
}

export function pythonFindings(scan: CodeScan, file: string, src: PySource, seen: Set<string>): void {
  for (const { module, line } of importedModules(src)) {
    const code = MODULE_RULES[module];
    if (code) add(scan, seen, FINDING_RULES[code]!, file, line, `imports ${module}`);
  }
  for (const n of findAll(src, ['CallExpression'])) {
    const callee = dottedName(src, n.firstChild!);
    const line = src.line(n.from);
    for (const [pattern, code] of CALL_RULES) if (pattern.test(callee)) add(scan, seen, FINDING_RULES[code]!, file, line, `calls ${callee}()`);
    const a = argsOf(n.getChild('ArgList'), src);
    if (/\.set$/.test(callee) && literal(src, a.keywords.get('nx')) === true) add(scan, seen, FINDING_RULES['redis-lock']!, file, line, `calls ${callee}(..., nx=True)`);
    if (isFileWrite(src, n, callee)) add(scan, seen, FINDING_RULES['file-write']!, file, line, `writes a file (${callee})`);
    // Settings read from the environment.
    if (/^(os\.environ\.get|os\.getenv|getenv|config|env(\.\w+)?)$/.test(callee)) {
      const name = literal(src, a.positional[0]);
      if (typeof name === 'string' && /^[A-Z][A-Z0-9_]*$/.test(name)) scan.settings.push({ name, from: { file, line } });
    }
  }
  for (const n of findAll(src, ['Decorator'])) {
    if (/\.(task|shared_task)$|^shared_task$/.test(children(n).filter((c) => c.name !== 'At' && c.name !== 'ArgList').map((c) => src.of(c)).join(''))) {
      add(scan, seen, FINDING_RULES.queue!, file, src.line(n.from), 'defines a Celery task');
    }
  }
  for (const n of findAll(src, ['SubscriptExpression'])) {
    const [obj, , key] = children(n);
    const name = literal(src, key);
    if (obj && src.of(obj) === 'os.environ' && typeof name === 'string') scan.settings.push({ name, from: { file, line: src.line(n.from) } });
  }
  settingsClasses(scan, file, src);
  if (/(^|\/)settings(\/[^/]+)?\.py$|(^|\/)settings\.py$/.test(file)) settingsModule(scan, file, src);
}

/** pydantic-settings classes: each field is an environment variable (upper-cased), its default a value. */
function settingsClasses(scan: CodeScan, file: string, src: PySource): void {
  for (const cls of findAll(src, ['ClassDefinition'])) {
    const bases = cls.getChild('ArgList');
    if (!bases || !/BaseSettings/.test(src.of(bases))) continue;
    const body = cls.getChild('Body');
    for (const stmt of body ? children(body) : []) {
      if (stmt.name !== 'AssignStatement') continue;
      const parts = children(stmt);
      const name = parts[0]?.name === 'VariableName' ? src.of(parts[0]) : undefined;
      if (!name || name === 'model_config') continue;
      const eq = parts.findIndex((p) => p.name === 'AssignOp');
      const v = eq >= 0 ? literal(src, parts[eq + 1]) : undefined;
      scan.settings.push({ name: name.toUpperCase(), value: typeof v === 'string' ? v : undefined, from: { file, line: src.line(stmt.from) } });
    }
  }
}

/** Django-style settings modules: upper-case constants with literal string values. */
function settingsModule(scan: CodeScan, file: string, src: PySource): void {
  const script = src.tree.topNode;
  for (const stmt of children(script)) {
    if (stmt.name !== 'AssignStatement') continue;
    const [target, , value] = children(stmt);
    if (target?.name !== 'VariableName' || !/^[A-Z][A-Z0-9_]*$/.test(src.of(target))) continue;
    const name = src.of(target);
    if (name === 'DATABASES') scan.features.add('database');
    if (name === 'MEDIA_ROOT') scan.features.add('bucket');
    const v = literal(src, value);
    if (typeof v === 'string') scan.settings.push({ name, value: v, from: { file, line: src.line(stmt.from) }, fromModule: true });
  }
}
