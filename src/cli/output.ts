// The CLI's only way to print. Results go to stdout; progress and diagnostics to stderr.
import { redactSecrets } from '../errors.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: draw progress bars instead of lines. */
  readonly interactive: boolean;
}

// A reader that went away (`flarelift copy … | head`) must not end the work with a stack trace:
// what is left to print is dropped and the command finishes, its exit code telling how it went.
const closed = { out: false, err: false };
const dropWhenClosed = (stream: NodeJS.WriteStream, which: keyof typeof closed) =>
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed[which] = true;
  });
dropWhenClosed(process.stdout, 'out');
dropWhenClosed(process.stderr, 'err');

export const processOutput: Output = {
  out: (text) => void (closed.out || process.stdout.write(redactSecrets(text) + '\n')),
  err: (text) => void (closed.err || process.stderr.write(redactSecrets(text) + '\n')),
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
};
