// Option parsing shared by the commands: the same words for the same mistakes.
import { Option } from 'commander';
import { UserError } from '../errors.js';
import { sourceForms } from '../sources/registry.js';

export const fromOption = () => new Option('--from <source>', sourceForms()).makeOptionMandatory();

/** A whole number of at least `min` given as `--name value`, or undefined when absent. */
export function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UserError(`${name} ${value} is not a whole number of at least ${min}`);
  return n;
}

/** `a, b,c` -> ['a', 'b', 'c'] */
export function commaList(value: string | undefined): string[] | undefined {
  return value?.split(',').map((t) => t.trim()).filter(Boolean);
}

/**
 * Ctrl-C: the first asks the run to stop at a safe point (`message` says what happens), the
 * second quits at once. Returns the signal to pass down and a function that removes the handler.
 */
export function interruptible(onFirst: () => void, exitCode: number): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      onFirst();
      controller.abort();
    } else {
      process.exit(exitCode);
    }
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}
