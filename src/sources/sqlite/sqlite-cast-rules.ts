// SQLite to SQLite (D1) is identity: every column keeps its declared type and its values exactly
// as stored ('keep'), since a SQLite column may hold any storage class whatever its type.
// Columns declared boolean become 0/1 integers with a CHECK, which Drizzle reads as booleans.
import type { CastRule } from '../../casting/rules.js';

const ORIGIN = 'sqlite default';

export const SQLITE_CAST_RULES: readonly CastRule[] = [
  { match: { type: ['boolean', 'bool'] }, transform: 'boolean', origin: ORIGIN },
  { match: {}, transform: 'keep', origin: ORIGIN },
];
