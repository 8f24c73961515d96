// Scheduled jobs, settings and Worker-incompatible features in JavaScript / TypeScript, read with
// the TypeScript compiler's parser (loaded only by `flarelift app`): node-cron, cron (CronJob),
// croner, setInterval with a literal delay, process.env uses, and imports.
import type * as TS from 'typescript';
import { FINDING_RULES } from './finding-rules.js';
import type { CodeScan, Job, Schedule } from './types.js';
import { normaliseWeekdays } from './weekdays.js';

const MODULE_RULES: Record<string, string> = {
  'socket.io': 'websocket',
  ws: 'websocket',
  'node-cache': 'cache',
  'lru-cache': 'cache',
  child_process: 'process',
  worker_threads: 'threads',
  cluster: 'threads',
  nodemailer: 'smtp',
  '@aws-sdk/client-s3': 'bucket',
  'aws-sdk': 'bucket',
  ioredis: 'redis',
  redis: 'redis',
  bull: 'queue',
  bullmq: 'queue',
};

/** Redis methods that need more than KV (the rule names are in finding-rules.ts). */
const REDIS_METHOD_RULES: Record<string, string> = {
  incr: 'redis-counter',
  incrby: 'redis-counter',
  decr: 'redis-counter',
  hincrby: 'redis-counter',
  lpush: 'redis-queue',
  rpush: 'redis-queue',
  brpop: 'redis-queue',
  blpop: 'redis-queue',
  publish: 'redis-pubsub',
  subscribe: 'redis-pubsub',
  psubscribe: 'redis-pubsub',
};

const NODE_BUILTINS = new Set(['assert', 'async_hooks', 'buffer', 'crypto', 'diagnostics_channel', 'dns', 'events', 'fs', 'http', 'https', 'net', 'os', 'path', 'process', 'querystring', 'stream', 'string_decoder', 'timers', 'tls', 'url', 'util', 'zlib', 'child_process', 'worker_threads', 'cluster']);

/** A five- or six-field cron string (node-cron and croner allow a leading seconds field). */
function cronString(text: string): Schedule | string {
  const f = text.trim().split(/\s+/);
  if (f.length !== 5 && f.length !== 6) return `not a cron expression: ${text}`;
  const [second, rest] = f.length === 6 ? [f[0]!, f.slice(1)] : ['0', f];
  return { kind: 'cron', second, minute: rest[0]!, hour: rest[1]!, dayOfMonth: rest[2]!, month: rest[3]!, dayOfWeek: normaliseWeekdays(rest[4]!, 'crontab') };
}

export async function scanJs(scan: CodeScan, file: string, text: string, seen: Set<string>): Promise<void> {
  const ts = (await import('typescript')).default;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : undefined);
  const line = (n: TS.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const at = (n: TS.Node) => ({ file, line: line(n) });
  /** Local names bound to each scheduler module. */
  const bound = new Map<string, string>();

  const str = (n: TS.Node | undefined): string | undefined => (n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined);
  const num = (n: TS.Node | undefined): number | undefined => {
    if (!n) return undefined;
    if (ts.isNumericLiteral(n)) return Number(n.text.replace(/_/g, ''));
    if (ts.isParenthesizedExpression(n)) return num(n.expression);
    if (ts.isBinaryExpression(n)) {
      const a = num(n.left);
      const b = num(n.right);
      if (a === undefined || b === undefined) return undefined;
      const k = n.operatorToken.kind;
      return k === ts.SyntaxKind.AsteriskToken ? a * b : k === ts.SyntaxKind.PlusToken ? a + b : k === ts.SyntaxKind.MinusToken ? a - b : k === ts.SyntaxKind.SlashToken ? a / b : undefined;
    }
    return undefined;
  };
  const prop = (obj: TS.Node | undefined, name: string): TS.Expression | undefined => {
    if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
    for (const p of obj.properties) if (ts.isPropertyAssignment(p) && p.name.getText(sf) === name) return p.initializer;
    return undefined;
  };
  const fnName = (n: TS.Node | undefined, fallback: string): string => {
    if (!n) return fallback;
    if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) return n.getText(sf);
    if ((ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n)) && n.name) return n.name.text;
    // `() => purge()` or `() => { purge(); }`: the one function it calls names the job.
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      let body: TS.Node = n.body;
      if (ts.isBlock(body) && body.statements.length === 1 && ts.isExpressionStatement(body.statements[0]!)) body = body.statements[0].expression;
      if (ts.isAwaitExpression(body)) body = body.expression;
      if (ts.isCallExpression(body)) return fnName(body.expression, fallback);
    }
    return fallback;
  };
  const push = (node: TS.Node, name: string, via: Job['via'], schedule: Schedule | string, timezone?: string): void => {
    const described = node.getText(sf).replace(/\s+/g, ' ').slice(0, 160);
    if (typeof schedule === 'string') {
      scan.findings.push({ severity: 'error', code: 'schedule', message: `job ${name} (${described.slice(0, 80)}) was not converted: ${schedule}`, replacement: 'write its Cron Trigger by hand', at: at(node) });
      return;
    }
    scan.jobs.push({ name, via, schedule, timezone, described, at: at(node) });
  };
  const addRule = (code: string, n: TS.Node, what: string): void => {
    const rule = FINDING_RULES[code]!;
    if (rule.feature) scan.features.add(rule.feature);
    const key = `${code}:${file}`;
    if (seen.has(key)) return;
    seen.add(key);
    scan.findings.push({ severity: rule.severity, code, message: `${what}: ${rule.message}`, replacement: rule.replacement, docs: rule.docs, at: at(n) });
  };
  const moduleUsed = (spec: string, n: TS.Node): void => {
    const bare = spec.replace(/^node:/, '');
    if (MODULE_RULES[bare]) addRule(MODULE_RULES[bare], n, `imports ${spec}`);
    if (NODE_BUILTINS.has(bare.split('/')[0]!) && (spec.startsWith('node:') || !spec.includes('/'))) scan.nodeBuiltins.push(bare);
  };

  const visit = (n: TS.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const spec = n.moduleSpecifier.text;
      moduleUsed(spec, n);
      const clause = n.importClause;
      if (clause?.name) bound.set(clause.name.text, spec);
      if (clause?.namedBindings) {
        if (ts.isNamespaceImport(clause.namedBindings)) bound.set(clause.namedBindings.name.text, spec);
        else for (const el of clause.namedBindings.elements) bound.set(el.name.text, `${spec}#${(el.propertyName ?? el.name).text}`);
      }
    }
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isCallExpression(n.initializer) && n.initializer.expression.getText(sf) === 'require') {
      const spec = str(n.initializer.arguments[0]);
      if (spec) {
        moduleUsed(spec, n);
        if (ts.isIdentifier(n.name)) bound.set(n.name.text, spec);
        else if (ts.isObjectBindingPattern(n.name)) for (const el of n.name.elements) bound.set(el.name.getText(sf), `${spec}#${(el.propertyName ?? el.name).getText(sf)}`);
      }
    }
    if (ts.isPropertyAccessExpression(n) && n.expression.getText(sf) === 'process.env') scan.settings.push({ name: n.name.text, from: at(n) });
    if (ts.isElementAccessExpression(n) && n.expression.getText(sf) === 'process.env') {
      const name = str(n.argumentExpression);
      if (name) scan.settings.push({ name, from: at(n) });
    }
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) callOrNew(n);
    ts.forEachChild(n, visit);
  };

  const usesRedis = (): boolean => [...bound.values()].some((v) => /^(ioredis|redis)(#|$)/.test(v));
  /** The rule a Redis method call triggers: counters, queues, pub/sub, and SET ... NX locks. */
  const redisCall = (name: string, args: TS.NodeArray<TS.Expression>): string | undefined => {
    const method = name.toLowerCase();
    if (REDIS_METHOD_RULES[method]) return REDIS_METHOD_RULES[method];
    const nx = args.some((a) => /^nx$/i.test(str(a) ?? '') || (ts.isObjectLiteralExpression(a) && prop(a, 'NX') !== undefined));
    return method === 'set' && nx ? 'redis-lock' : undefined;
  };

  const callOrNew = (n: TS.CallExpression | TS.NewExpression): void => {
    const callee = n.expression.getText(sf);
    const args = n.arguments ?? ts.factory.createNodeArray();
    const [base, member] = callee.split('.') as [string, string | undefined];
    const origin = bound.get(base) ?? '';
    const mod = origin.split('#')[0];
    const named = origin.split('#')[1];
    if (mod === 'node-cron' && (member === 'schedule' || named === 'schedule')) {
      const opts = args[2];
      push(n, str(prop(opts, 'name')) ?? fnName(args[1], `cron_line_${line(n)}`), 'node-cron', cronString(str(args[0]) ?? ''), str(prop(opts, 'timezone')));
    } else if (mod === 'cron' && (named === 'CronJob' || member === 'CronJob' || (member === 'from' && named === 'CronJob'))) {
      if (member === 'from') {
        const o = args[0];
        push(n, fnName(prop(o, 'onTick'), `cronjob_line_${line(n)}`), 'cron', cronString(str(prop(o, 'cronTime')) ?? ''), str(prop(o, 'timeZone')));
      } else push(n, fnName(args[1], `cronjob_line_${line(n)}`), 'cron', cronString(str(args[0]) ?? ''), str(args[4]));
    } else if (mod === 'croner' && (named === 'Cron' || ts.isNewExpression(n) || callee === base)) {
      const opts = args[1] && ts.isObjectLiteralExpression(args[1]) ? args[1] : undefined;
      const fn = opts ? args[2] : args[1];
      push(n, str(prop(opts, 'name')) ?? fnName(fn, `croner_line_${line(n)}`), 'croner', cronString(str(args[0]) ?? ''), str(prop(opts, 'timezone')));
    } else if (callee === 'setInterval' && args.length >= 2) {
      const ms = num(args[1]);
      const name = fnName(args[0], `interval_line_${line(n)}`);
      push(n, name, 'setInterval', ms === undefined ? 'the delay is not a literal' : { kind: 'interval', seconds: ms / 1000 });
    } else if (usesRedis() && ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && redisCall(n.expression.name.text, args)) {
      // Redis commands KV cannot stand in for, by method name (ioredis and node-redis spell them alike).
      addRule(redisCall(n.expression.name.text, args)!, n, `calls ${callee}()`);
    } else if (/(^|\.)(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream)$/.test(callee) && /^(node:)?fs(\/promises)?$/.test(mod ?? '')) {
      addRule('file-write', n, `calls ${callee}()`);
    }
  };
  visit(sf);
}
