// `flarelift schema`: the wrangler D1 migration file and, optionally, the Drizzle schema.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { drizzleSchema } from '../schema/drizzle.js';
import { migrationSql } from '../schema/build-schema.js';
import type { PlanContext } from './plan.js';
import { makeDirectory } from '../make-directory.js';

export interface SchemaFiles {
  migration: string;
  drizzle?: string;
}

/** wrangler's migration files are NNNN_name.sql; the next number follows the highest present. */
function nextMigrationNumber(dir: string): string {
  const numbers = readdirSync(dir)
    .map((f) => /^(\d+)_.*\.sql$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return String(numbers.length ? Math.max(...numbers) + 1 : 1).padStart(4, '0');
}

export function migrationName(database: string): string {
  return database.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase() || 'schema';
}

export function writeSchemaFiles(ctx: PlanContext, options: { outDir: string; name?: string; drizzle?: string }): SchemaFiles {
  try {
    makeDirectory(options.outDir);
  } catch (e) {
    throw new UserError(`cannot create ${options.outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — choose a writable --out directory`);
  }
  const name = migrationName(options.name ?? ctx.catalog.database);
  const migration = path.join(options.outDir, `${nextMigrationNumber(options.outDir)}_${name}.sql`);
  const { counts } = ctx.schema;
  const header = [
    `${counts.tables} tables, ${counts.columns} columns, ${counts.indexes} indexes, ${counts.foreignKeys} foreign keys, ${counts.views} views, ${counts.triggers} triggers`,
    `${ctx.plan.totals.blockers} blocker(s) and ${ctx.plan.totals.warnings} warning(s): run flarelift plan to read them`,
  ];
  writeFileSync(migration, migrationSql(ctx.catalog, ctx.schema, header));
  let drizzle: string | undefined;
  if (options.drizzle) {
    drizzle = path.resolve(options.drizzle);
    makeDirectory(path.dirname(drizzle));
    writeFileSync(drizzle, drizzleSchema(ctx.schema));
  }
  return { migration, drizzle };
}
