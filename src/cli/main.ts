// argv -> library calls. User errors print one line and exit 2; anything else is reported as a
// possible bug, with the stack only under --debug. Secrets are redacted from everything printed.
import { Command, CommanderError } from 'commander';
import { isUserError, redactSecrets } from '../errors.js';
import { registerConnectionSecrets } from '../secrets.js';
import { withSourcePassword } from '../sources/source-password.js';
import { setStallTimeout } from '../sources/stall-watch.js';
import { COMMAND_NAMES, loadCommands } from './commands/index.js';
import { wholeNumber } from './options.js';
import { processOutput, type Output } from './output.js';

export const VERSION = '0.1.0';

/** Global options that take a value (their value is never a command name). */
const GLOBAL_VALUES = new Set(['--stall-timeout', '--password-file']);

/**
 * The command argv runs, when it names one before anything else: only that command is loaded.
 * Help, --version, a mistyped command or `help <command>` load every command, as before.
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (GLOBAL_VALUES.has(a)) i++;
    else if (!a.startsWith('-')) return COMMAND_NAMES.includes(a) ? a : undefined;
  }
  return undefined;
}

export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const debug = argv.includes('--debug');
  // Every URL on the command line has its password hidden before anything can be printed.
  for (const arg of argv) registerConnectionSecrets(arg.replace(/^--[a-z-]+=/, ''));
  let exitCode = 0;
  const program = new Command('flarelift')
    .description('Move a database onto Cloudflare D1 and prove nothing was lost')
    .version(VERSION)
    .option('--debug', 'show stack traces for unexpected errors')
    .option('--stall-timeout <seconds>', 'a source that sends nothing for this long while a query runs counts as lost (default 300; env FLARELIFT_STALL_TIMEOUT)')
    .option('--password-file <file>', 'the source\'s password, from the file\'s first line (or set FLARELIFT_PASSWORD): keeps it out of ps and shell history')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => output.out(s.trimEnd()),
      writeErr: (s) => output.err(s.trimEnd()),
    });
  const invoked = invokedCommand(argv);
  // --version alone needs no command; help (and anything unrecognised) lists them all.
  const versionOnly = argv.length > 0 && argv.every((a) => a === '--version' || a === '-V');
  for (const spec of await loadCommands(invoked ? [invoked] : versionOnly ? [] : undefined)) {
    const cmd = program.command(spec.name).description(spec.summary);
    spec.configure(cmd);
    cmd.action(async (options: Record<string, unknown>) => {
      const global = program.opts<{ passwordFile?: string; stallTimeout?: string }>();
      setStallTimeout(wholeNumber('--stall-timeout', global.stallTimeout, 1));
      if (typeof options.from === 'string') {
        options.from = withSourcePassword(options.from, { passwordFile: global.passwordFile });
      }
      exitCode = await spec.run(options, output);
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes are bad input.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      output.err(`error: ${e.message}`);
      return e.exitCode;
    }
    const err = e as Error;
    output.err(`unexpected error (this may be a bug in flarelift): ${redactSecrets(err?.message ?? String(e))}`);
    if (debug && err?.stack) output.err(redactSecrets(err.stack));
    else output.err('run again with --debug to see the stack trace');
    return 1;
  }
}
