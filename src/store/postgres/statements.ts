/**
 * The statements of every event on PostgreSQL, sent straight to the transaction's connection as
 * named prepared statements: PostgreSQL parses and plans each once per connection, and nothing is
 * built per call. drizzle's query builder rebuilt each statement on every call (its `is()` type
 * checks, SQL chunk merging, result mapping): a quarter of the engine's CPU per event on
 * PostgreSQL (`BENCH_CPU_PROF_DIR=… ` profile of bench/pg-instance.ts). Column names still come
 * from the drizzle schema (db/pg/schema.ts), rows come back under its keys (`"case_id" AS
 * "caseId"`), and every column these touch is text or integer, so the values are drizzle's.
 */
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import pg from 'pg';
import { selectList } from '../sql/columns.ts';
import type { PgTx } from './client.ts';

export interface Statement {
  /** Unique per text: a connection keeps each name's plan. */
  name: string;
  text: string;
}

/** A named statement; names are prefixed so they cannot meet another library's. */
export const statement = (name: string, text: string): Statement => ({ name: `passend_${name}`, text });

/** `INSERT INTO "t" ("a", "b_c") VALUES ($1, $2)` for these keys, and the values of a row in that order. */
export function insertOf<Row extends object>(name: string, table: Table, keys: readonly (keyof Row & string)[]):
  Statement & { values(row: Row): unknown[] } {
  const columns = getTableColumns(table);
  const names = keys.map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`insertOf: ${getTableName(table)} has no column ${key}`);
    return `"${column.name}"`;
  });
  return {
    ...statement(name, `INSERT INTO "${getTableName(table)}" (${names.join(', ')}) ` +
      `VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`),
    values: (row) => keys.map((key) => (row as Record<string, unknown>)[key] ?? null),
  };
}

/** `SELECT <every column under its key> FROM "t" WHERE …`. */
export const selectFrom = (table: Table, rest: string): string =>
  `SELECT ${selectList(table)} FROM "${getTableName(table)}" ${rest}`;

/**
 * The connection under a drizzle transaction (drizzle's node-postgres session keeps it as
 * `client`). Checked, so that a drizzle upgrade that moves it fails every PostgreSQL test at once
 * instead of sending statements outside the transaction.
 */
export function connectionOf(tx: PgTx): pg.ClientBase {
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client;
  // One connection (a pool's client is a pg.Client); a pool would send each statement on whichever
  // connection is free, outside the transaction.
  if (!(client instanceof pg.Client)) {
    throw new Error('no pg connection under this drizzle transaction');
  }
  return client;
}

/** A drizzle transaction, or the connection a transaction was begun on (the engine's own, engine.ts). */
export type Conn = PgTx | pg.ClientBase;

const send = (tx: Conn, s: Statement, values: readonly unknown[]) =>
  (tx instanceof pg.Client ? tx : connectionOf(tx as PgTx)).query({ name: s.name, text: s.text, values: values as unknown[] });

/** Runs a named statement in the transaction; the rows. */
export async function query<Row>(tx: Conn, s: Statement, values: readonly unknown[]): Promise<Row[]> {
  return (await send(tx, s, values)).rows as Row[];
}

/** Runs a named statement in the transaction; the number of rows it changed. */
export async function execute(tx: Conn, s: Statement, values: readonly unknown[]): Promise<number> {
  return (await send(tx, s, values)).rowCount ?? 0;
}
