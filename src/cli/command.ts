// A CLI command declared as data: its name, help, options and what it runs. Listed once in
// src/cli/commands/index.ts.
import type { Command } from 'commander';
import type { Output } from './output.js';

export interface CommandSpec<O = Record<string, unknown>> {
  name: string;
  summary: string;
  /** Adds the command's options (and a longer description) to its commander Command. */
  configure(cmd: Command): void;
  /** Runs with the parsed options; resolves to the exit code. */
  run(options: O, output: Output): Promise<number>;
}

/** Type helper keeping each command's option type while listing them together. */
export const defineCommand = <O>(spec: CommandSpec<O>): CommandSpec => spec as unknown as CommandSpec;
