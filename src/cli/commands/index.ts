// Every CLI command, listed once.
import type { CommandSpec } from '../command.js';
import { planCommand } from './plan.js';
import { schemaCommand } from './schema.js';

export const COMMANDS: readonly CommandSpec[] = [planCommand, schemaCommand];
