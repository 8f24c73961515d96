// Objects that are not tables (views, triggers, routines, events, MariaDB sequences): reported by
// the plan. Definitions come from information_schema; they are MySQL SQL and not translated.
import type { SourceObject } from '../../catalog/types.js';
import { str, type Query } from './mysql-rows.js';

export async function loadObjects(q: Query, database: string): Promise<SourceObject[]> {
  const objects: SourceObject[] = [];

  const views = await q(
    'SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  for (const v of views) objects.push({ kind: 'view', name: str(v.TABLE_NAME), definition: str(v.VIEW_DEFINITION) });

  const triggers = await q(
    `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
       FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME`,
    [database],
  );
  for (const t of triggers) {
    objects.push({
      kind: 'trigger',
      name: `${str(t.TRIGGER_NAME)} on ${str(t.EVENT_OBJECT_TABLE)}`,
      table: str(t.EVENT_OBJECT_TABLE),
      definition: `${str(t.ACTION_TIMING)} ${str(t.EVENT_MANIPULATION)} FOR EACH ROW ${str(t.ACTION_STATEMENT)}`,
    });
  }

  const routines = await q(
    `SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION
       FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME`,
    [database],
  );
  for (const r of routines) {
    const type = str(r.ROUTINE_TYPE).toUpperCase();
    objects.push({
      kind: type === 'FUNCTION' ? 'function' : 'procedure',
      // MariaDB also lists PACKAGE / PACKAGE BODY (sql_mode=ORACLE); keep the type in the name.
      name: type === 'FUNCTION' || type === 'PROCEDURE' ? str(r.ROUTINE_NAME) : `${type.toLowerCase()} ${str(r.ROUTINE_NAME)}`,
      // NULL when the user lacks the privilege to see the body.
      definition: r.ROUTINE_DEFINITION == null ? undefined : str(r.ROUTINE_DEFINITION),
    });
  }

  const events = await q(
    'SELECT EVENT_NAME, EVENT_DEFINITION FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME',
    [database],
  );
  for (const e of events) objects.push({ kind: 'event', name: str(e.EVENT_NAME), definition: str(e.EVENT_DEFINITION) });

  const sequences = await q(
    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME",
    [database],
  );
  for (const s of sequences) objects.push({ kind: 'sequence', name: str(s.TABLE_NAME) });

  return objects;
}
