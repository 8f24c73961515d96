// The CLI's only way to print. Results go to stdout; progress and diagnostics to stderr.
import { redactSecrets } from '../errors.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: draw progress bars instead of lines. */
  readonly interactive: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(redactSecrets(text) + '\n'),
  err: (text) => process.stderr.write(redactSecrets(text) + '\n'),
  interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
};
