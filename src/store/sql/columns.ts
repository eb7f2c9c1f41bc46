/**
 * SQL text for statements written by hand, from the drizzle schema, so that column names are
 * still written once (db/). SQLite's hot path prepares these straight on better-sqlite3: it then
 * builds each row with the schema's keys itself (`"machine_version" AS "machineVersion"`) and binds
 * named parameters from the row object, where drizzle maps every row in JavaScript (about 40 µs of
 * an event's 270 µs of CPU, `bench/diagnose.ts engine OFF`). PostgreSQL's named statements use
 * `selectList` too. None of the tables these are used on has a column with a JSON, boolean or
 * timestamp mode, so the values are the same.
 */
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';

const quote = (name: string): string => `"${name}"`;

function columnsOf(table: Table): [key: string, name: string][] {
  return Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]);
}

/** `"seq", "machine_version" AS "machineVersion", …`: every column, under the schema's keys. */
export function selectList(table: Table, keys?: readonly string[]): string {
  return columnsOf(table)
    .filter(([key]) => keys === undefined || keys.includes(key))
    .map(([key, name]) => (key === name ? quote(name) : `${quote(name)} AS ${quote(key)}`))
    .join(', ');
}

/** `INSERT INTO "t" ("a", "b_c") VALUES (@a, @bC)` for these keys of the schema (all when omitted). */
export function insertSql(table: Table, keys?: readonly string[]): string {
  const columns = columnsOf(table).filter(([key]) => keys === undefined || keys.includes(key));
  if (keys !== undefined && columns.length !== keys.length) {
    throw new Error(`insertSql: ${getTableName(table)} has no column ${keys.find((k) => !columns.some(([c]) => c === k))}`);
  }
  return `INSERT INTO ${quote(getTableName(table))} (${columns.map(([, name]) => quote(name)).join(', ')}) ` +
    `VALUES (${columns.map(([key]) => `@${key}`).join(', ')})`;
}
