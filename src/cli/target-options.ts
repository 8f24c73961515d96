// --to and the target options, for every command that takes a target, from the kinds'
// declarations (targets/target-kind.ts): copy, verify and migrate get the same options with the
// same parsing, and a new kind's options reach all three.
import { Option, type Command } from 'commander';
import { declaredTargetOptions, targetForms } from '../targets/registry.js';
import { COMMON_WRITE_OPTIONS, type TargetOptionSpec } from '../targets/target-kind.js';
import { wholeNumber } from './options.js';

export type TargetUse = 'write' | 'read';

function applicable(use: TargetUse): { spec: TargetOptionSpec; prefix: string }[] {
  const declared = declaredTargetOptions().map(({ spec, kinds }) => ({ spec, prefix: `${kinds.map((k) => `${k.scheme}:`).join(', ')} ` }));
  const common = COMMON_WRITE_OPTIONS.map((spec) => ({ spec, prefix: '' }));
  return [...declared, ...common].filter(({ spec }) => use === 'write' || spec.use === 'both');
}

/** Adds the mandatory --to and every target option that applies to `use`. */
export function addTargetOptions(cmd: Command, use: TargetUse): Command {
  cmd.addOption(new Option('--to <target>', targetForms()).makeOptionMandatory());
  for (const { spec, prefix } of applicable(use)) cmd.option(spec.flags, `${prefix}${spec.help}`);
  return cmd;
}

/** The parsed target options (numbers checked) from commander's values, keyed as the library takes them. */
export function targetOptionValues(values: Record<string, unknown>, use: TargetUse): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { spec } of applicable(use)) {
    const v = values[spec.key];
    if (v === undefined) continue;
    out[spec.key] = spec.min !== undefined ? wholeNumber(spec.flags.split(' ')[0], String(v), spec.min) : v;
  }
  return out;
}
