// Reading MySQL/MariaDB type text (information_schema.COLUMNS.COLUMN_TYPE) and quoted literals.
// Both servers print enum/set labels and string defaults with MySQL's own escaping
// (`append_unescaped`): a quote is doubled and a backslash, NUL, newline, CR and ^Z are
// backslash-escaped, so `enum('a\\b','it''s')` holds the labels `a\b` and `it's`.

const BACKSLASH_ESCAPES: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', Z: '\x1a', b: '\b' };

/**
 * Reads one single-quoted literal starting at `text[start]` (which must be a quote).
 * Returns the unescaped value and the index just past the closing quote.
 */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  if (text[start] !== "'") throw new Error(`expected a quoted string at ${start} in ${text}`);
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1];
      value += BACKSLASH_ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    value += ch;
    i += 1;
  }
  throw new Error(`unterminated quoted string in ${text}`);
}

/** The labels of `enum('a','b')` / `set('x','y')`, unescaped, in declaration order. */
export function parseLabels(columnType: string): string[] {
  const open = columnType.indexOf('(');
  if (open < 0) return [];
  const labels: string[] = [];
  let i = open + 1;
  while (i < columnType.length) {
    while (columnType[i] === ' ') i += 1;
    if (columnType[i] === ')') break;
    const { value, end } = readQuoted(columnType, i);
    labels.push(value);
    i = end;
    while (columnType[i] === ' ') i += 1;
    if (columnType[i] === ',') i += 1;
    else if (columnType[i] === ')') break;
    else throw new Error(`unexpected '${columnType[i]}' in ${columnType}`);
  }
  return labels;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);

export function isIntegerType(dataType: string): boolean {
  return INTEGER_TYPES.has(dataType);
}

/**
 * The display width of an integer type, `tinyint(1)` -> 1. MySQL 8.0.19+ drops widths from
 * COLUMN_TYPE except for tinyint(1), which is exactly the one the boolean cast rule needs.
 */
export function displayWidth(columnType: string): number | undefined {
  const m = /^[a-z]+\((\d+)\)/i.exec(columnType);
  return m ? Number(m[1]) : undefined;
}

/** Types whose values are character strings: ordered by their UTF-8 bytes when they are keys. */
const TEXT_TYPES = new Set([
  'char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json', 'inet4', 'inet6',
]);

export function isTextType(dataType: string): boolean {
  return TEXT_TYPES.has(dataType);
}

const GEOMETRY_TYPES = new Set([
  'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon',
  'geometrycollection', 'geomcollection',
]);

export function isGeometryType(dataType: string): boolean {
  return GEOMETRY_TYPES.has(dataType);
}

/** MySQL identifier quoting with backticks (a backtick inside is doubled). */
export function quoteMy(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
