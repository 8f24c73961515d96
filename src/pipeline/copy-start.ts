// How a copy starts on its target: a new copy (schema created when the target has no tables,
// reused when it has them all, empty) or the continuation of an unfinished one (--resume).
import { UserError } from '../errors.js';
import type { SchemaResult } from '../schema/build-schema.js';
import type { TableMapping } from '../schema/mapping.js';
import type { JournalEntry, Target, TargetSession } from '../targets/target.js';
import { schemaSetup } from './copy-schema.js';
import { emptyEntry } from './copy-table.js';

export interface CopyStart {
  tables: TableMapping[];
  entries: Map<string, JournalEntry>;
  resumed: boolean;
  notes: string[];
}

/** The tables named by --tables (catalog or source names, any case), in the schema's order. */
export function selectTables(schema: SchemaResult, names: readonly string[] | undefined): TableMapping[] {
  if (!names || names.length === 0) return schema.tables;
  const wanted = new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean));
  const chosen = schema.tables.filter((m) => wanted.has(m.name.toLowerCase()) || wanted.has(m.table.sourceName.toLowerCase()));
  const known = new Set(chosen.flatMap((m) => [m.name.toLowerCase(), m.table.sourceName.toLowerCase()]));
  const unknown = [...wanted].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UserError(`no table ${unknown.join(', ')} in the source; it has: ${schema.tables.map((m) => m.name).join(', ')}`);
  }
  return chosen;
}

export async function startCopy(
  target: Target,
  session: TargetSession,
  schema: SchemaResult,
  selected: TableMapping[],
  /** `created`: the schema to create in an empty target (the selected tables' only, for --tables). */
  options: { resume: boolean; tablesGiven: boolean; created?: { schema: SchemaResult; droppedForeignKeys: number } },
): Promise<CopyStart> {
  const notes: string[] = [];
  const state = await session.state(schema.tables.map((m) => m.name));
  if (state.journal) {
    if (!options.resume) {
      throw new UserError(`${target.description} holds an unfinished copy: pass --resume to finish it, or start over with a fresh target`);
    }
    const byName = new Map(schema.tables.map((m) => [m.name, m]));
    const unknown = state.journal.filter((e) => !byName.has(e.table)).map((e) => e.table);
    if (unknown.length > 0) {
      throw new UserError(`the unfinished copy has tables the source no longer has (${unknown.join(', ')}): start over with a fresh target`);
    }
    const journalTables = new Set(state.journal.map((e) => e.table));
    if (options.tablesGiven && (selected.length !== journalTables.size || selected.some((m) => !journalTables.has(m.name)))) {
      throw new UserError(`--tables differs from the unfinished copy's tables (${[...journalTables].join(', ')}): run --resume without --tables`);
    }
    const tables = schema.tables.filter((m) => journalTables.has(m.name));
    const done = state.journal.filter((e) => e.done).length;
    notes.push(`resumed an unfinished copy: ${done} of ${tables.length} tables were already complete`);
    return { tables, entries: new Map(state.journal.map((e) => [e.table, e])), resumed: true, notes };
  }

  if (options.resume) notes.push('nothing to resume (the target holds no unfinished copy): started a new copy');
  const present = schema.tables.filter((m) => state.tables.has(m.name));
  let setup;
  if (present.length === 0) {
    const created = options.created?.schema ?? schema;
    setup = schemaSetup(created);
    notes.push(`created the schema: ${created.counts.tables} tables, ${created.counts.indexes} indexes`);
    if (options.created?.droppedForeignKeys) {
      notes.push(`--tables: ${options.created.droppedForeignKeys} foreign keys to tables not copied were left out of the schema`);
    }
  } else {
    const missing = selected.filter((m) => !state.tables.has(m.name));
    if (missing.length > 0) {
      throw new UserError(
        `the target has some of the source's tables but not ${missing.map((m) => m.name).join(', ')}: apply the full schema (flarelift schema) or use a fresh target`,
      );
    }
    const filled = selected.filter((m) => state.tables.get(m.name)).map((m) => m.name);
    if (filled.length > 0 && options.resume) {
      throw new UserError(`nothing to resume: the target holds no unfinished copy, and ${filled.join(', ')} already hold rows (did the copy complete?)`);
    }
    if (filled.length > 0) {
      throw new UserError(`table ${filled.join(', ')} in the target already holds rows: copy into empty tables or a fresh target (or --resume an interrupted copy)`);
    }
    notes.push('used the tables already in the target (schema not recreated)');
  }
  const entries = new Map(selected.map((m) => [m.name, emptyEntry(m.name)]));
  await session.begin({ schema: setup, entries: [...entries.values()], tables: selected });
  return { tables: selected, entries, resumed: false, notes };
}
