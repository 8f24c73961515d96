// Every CLI command, listed once.
import type { CommandSpec } from '../command.js';
import { appCommand } from './app.js';
import { copyCommand } from './copy.js';
import { demoCommand } from './demo.js';
import { migrateCommand } from './migrate.js';
import { planCommand } from './plan.js';
import { rewriteCommand } from './rewrite.js';
import { schemaCommand } from './schema.js';
import { syncCommand } from './sync.js';
import { verifyCommand } from './verify.js';

export const COMMANDS: readonly CommandSpec[] = [planCommand, schemaCommand, copyCommand, verifyCommand, syncCommand, migrateCommand, rewriteCommand, demoCommand, appCommand];
