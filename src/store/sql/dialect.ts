/**
 * The building blocks in which SQLite's and PostgreSQL's SQL differ, for statements written once
 * over them (signalering.ts). A statement names its parameters `@name` in both dialects; each
 * block below renders one construct in the dialect's own terms. Everything else in a statement
 * (CTEs, MATERIALIZED, window functions, CASE, coalesce, count, UNION ALL, GROUP BY ordinals, ISO
 * instants compared as text) is SQL that both understand alike.
 *
 * JSON values: SQLite keeps a JSON value as text or JSONB and reads it with json_extract, which
 * gives SQL scalars (a number stays a number); PostgreSQL parses text into jsonb and reads with
 * `->>` (text) and `->` (jsonb). A path is written as in JavaScript: `decision.type`,
 * `school[0].status`, `overleggen[-1].at` (the last element), `[1]`.
 */

export type Cast = 'text' | 'int' | 'bigint' | 'float';

export interface EachOptions {
  /** Iterate the array at this path of the value instead of the value itself. */
  path?: string;
  /** The elements are compared or grouped as text (PostgreSQL: jsonb_array_elements_text). */
  text?: boolean;
  /** `alias.key` orders the elements (SQLite: the index; PostgreSQL: the ordinality, from 1). */
  ordinality?: boolean;
}

/** A statement as its driver takes it, and its named parameters in the order they are bound. */
export interface Statement {
  text: string;
  /** Positional drivers (pg) bind `names.map((name) => params[name])`; SQLite binds by name. */
  names: string[];
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** The statement for the driver: `@name` parameters as the driver wants them. */
  statement(sql: string): Statement;
  /**
   * `FROM … WHERE where` over the cases table: these columns of the cases that satisfy `where`,
   * with `facts` below naming each one's facts document, read once per case.
   */
  casesWithFacts(columns: readonly string[], where: string): string;
  /** The facts document of a case in a SELECT over casesWithFacts. */
  readonly facts: string;
  /**
   * Appended to the pass over casesWithFacts where that pass must not be merged into the query
   * that uses it (which would compute its columns again at every use).
   */
  readonly unflattened: string;
  /** A text column that holds JSON (a trail entry's payload), as a JSON value. */
  parse(column: string): string;
  /** The scalar at a path of a JSON value: text, or as stored where the dialect keeps types (SQLite). */
  pathText(json: string, path: string): string;
  /** The JSON value (array, object or scalar) at a path of a JSON value. */
  pathJson(json: string, path: string): string;
  /**
   * A FROM item: each element of a JSON array as `alias.value`, none when the array is missing
   * (PostgreSQL: none for a value that is not an array either; the facts' arrays are arrays).
   */
  each(json: string, alias: string, options?: EachOptions): string;
  /** A JSON array of these SQL values. */
  array(...items: string[]): string;
  /** The aggregate JSON array of a value over the group's rows. */
  arrayAgg(item: string): string;
  /** An ISO instant (or date) as a day number, fractional: the difference of two is in days. */
  day(at: string): string;
  /** The larger and smaller of two values known not to be NULL (SQLite's max/min would give NULL, PostgreSQL's greatest/least skip it). */
  greatest(a: string, b: string): string;
  least(a: string, b: string): string;
  /** A number rounded to 0.1, as a float. */
  tenth(value: string): string;
  /** A result column's type (PostgreSQL); SQLite's values carry their own type. */
  cast(value: string, type: Cast): string;
  /**
   * Appended to a text value so that lower() folds ASCII letters only, as SQLite's lower() does
   * (PostgreSQL's folds by the database's locale): case-insensitive matches find the same rows.
   */
  readonly asciiCollation: string;
}

type Segment = string | number;

/** `school[0].status` → ['school', 0, 'status']. */
function segments(path: string): Segment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(-?\d+)\]/g)].map(([, key, index]) => (index === undefined ? key! : Number(index)));
}

const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Named parameters: `@name`, a letter first. */
const PARAMETER = /@([A-Za-z]\w*)/g;

const namesIn = (sql: string): string[] => [...new Set([...sql.matchAll(PARAMETER)].map(([, name]) => name!))];

/** SQLite's JSON path: `$.school[0].status`, the last element `[#-1]`. */
const jsonPath = (path: string): string =>
  '$' + segments(path).map((s) => (typeof s === 'number' ? (s < 0 ? `[#${s}]` : `[${s}]`) : `.${s}`)).join('');

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  statement: (sql) => ({ text: sql, names: namesIn(sql) }),
  casesWithFacts: (_columns, where) => `FROM cases WHERE ${where}`,
  // The facts column as text: SQLite caches its parse for every json_extract of the row.
  facts: 'facts',
  // A subquery with OFFSET is not flattened into its user, which would read its columns again at every use.
  unflattened: ' LIMIT -1 OFFSET 0',
  parse: (column) => column,
  pathText: (json, path) => `json_extract(${json}, '${jsonPath(path)}')`,
  // JSONB: a part of the parse, walked or embedded (json_array takes it as JSON) without parsing again.
  pathJson: (json, path) => `jsonb_extract(${json}, '${jsonPath(path)}')`,
  each: (json, alias, options = {}) =>
    `jsonb_each(${json}${options.path === undefined ? '' : `, '${jsonPath(options.path)}'`}) ${alias}`,
  array: (...items) => `json_array(${items.join(', ')})`,
  arrayAgg: (item) => `json_group_array(${item})`,
  day: (at) => `julianday(${at})`,
  greatest: (a, b) => `max(${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
  tenth: (value) => `round(${value}, 1)`,
  cast: (value) => value,
  asciiCollation: '',
};

/** PostgreSQL's path operator: `->>`/`->` for one step, `#>>`/`#>` for more. */
function pgPath(json: string, path: string, asText: boolean): string {
  const steps = segments(path);
  if (steps.length === 1) {
    const step = steps[0]!;
    return `(${json} ${asText ? '->>' : '->'} ${typeof step === 'number' ? step : quoted(step)})`;
  }
  return `(${json} ${asText ? '#>>' : '#>'} '{${steps.join(',')}}')`;
}

const PG_TYPES: Record<Cast, string> = { text: 'text', int: 'int', bigint: 'bigint', float: 'float8' };

export const postgresDialect: Dialect = {
  name: 'postgres',
  statement(sql) {
    const names = namesIn(sql);
    return { text: sql.replace(PARAMETER, (_, name: string) => `$${names.indexOf(name) + 1}`), names };
  },
  // The facts column is text (the audit hashes its exact bytes): parsed once per case, here.
  // OFFSET 0 keeps the planner from pulling this subselect up into its users, which would put
  // `facts::jsonb` in place of `fx` and parse the document again at every read.
  casesWithFacts: (columns, where) =>
    `FROM (SELECT ${columns.join(', ')}, facts::jsonb AS fx FROM cases WHERE ${where} OFFSET 0) AS c`,
  facts: 'fx',
  // The pass over the parse may be merged into its user: it reads the parsed `fx` (see above).
  unflattened: '',
  parse: (column) => `${column}::jsonb`,
  pathText: (json, path) => pgPath(json, path, true),
  pathJson: (json, path) => pgPath(json, path, false),
  // Set-returning functions in FROM may refer to earlier FROM items without LATERAL.
  each(json, alias, options = {}) {
    const array = options.path === undefined ? json : pgPath(json, options.path, false);
    const elements = options.text ? 'jsonb_array_elements_text' : 'jsonb_array_elements';
    return `${elements}(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} ELSE '[]'::jsonb END)` +
      (options.ordinality ? ` WITH ORDINALITY ${alias}(value, key)` : ` ${alias}(value)`);
  },
  array: (...items) => `jsonb_build_array(${items.join(', ')})`,
  arrayAgg: (item) => `jsonb_agg(${item})`,
  // Days since the epoch, fractional: differences are days, as julianday's are (the session runs in UTC).
  day: (at) => `(extract(epoch FROM (${at})::timestamptz) / 86400.0)`,
  greatest: (a, b) => `greatest(${a}, ${b})`,
  least: (a, b) => `least(${a}, ${b})`,
  tenth: (value) => `round((${value})::numeric, 1)::float8`,
  cast: (value, type) => `(${value})::${PG_TYPES[type]}`,
  asciiCollation: ' COLLATE "C"',
};
