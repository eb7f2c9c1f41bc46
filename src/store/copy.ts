/**
 * `store copy --to postgres://…` (DESIGN §5.5): moves a region from its SQLite file to PostgreSQL
 * with every row of every table (cases, trail, timers, outbox, audit and access log, clients,
 * regions, people, sessions, idempotency keys), the same ids and sequence numbers, byte for byte.
 * The file is read in one read transaction (one moment, while the service may go on writing) and
 * written in one PostgreSQL transaction: a copy is whole or absent. The target must be empty.
 * The file's audit is verified as of the moment copied, the copy's afterwards: both must end at
 * the same head. Stop the service on the file first: what it writes after the copy stays behind.
 */
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { PgDb } from './postgres/client.ts';
import * as pgSchema from '../../db/pg/schema.ts';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from './sqlite/client.ts';
import * as sqliteSchema from '../../db/schema.ts';
import type { VerifyResult } from '../audit/audit-contract.ts';
import { auditTrail } from './sqlite/audit.ts';

/** Parents before children (foreign keys), the logs last. */
const TABLES: Table[] = [
  pgSchema.apiClients, pgSchema.regions, pgSchema.organisations, pgSchema.users, pgSchema.signInLinks, pgSchema.sessions,
  pgSchema.cases, pgSchema.caseEvents, pgSchema.timers, pgSchema.outbox, pgSchema.idempotencyKeys,
  pgSchema.offers, pgSchema.offerWaitingTimes, pgSchema.auditLog, pgSchema.accessLog,
];
/** Tables whose `seq` the database gives out: their identity continues after the copied rows. */
const IDENTITY_TABLES = ['cases', 'case_events', 'timers', 'outbox', 'offer_waiting_times', 'access_log'];

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;

export class TargetNotEmpty extends Error {}

export interface CopyReport {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /** The audit of the file as of the moment copied. */
  source: VerifyResult;
}

export async function copySqliteToPostgres(sqlite: Database.Database, target: PgDb): Promise<CopyReport> {
  const client = await target.$client.connect();
  const rows: Record<string, number> = {};
  let source: VerifyResult | undefined;
  try {
    await client.query('BEGIN');
    // No instance may write while the copy runs; a second copy waits and then finds it not empty.
    await client.query(`LOCK TABLE ${TABLES.map((t) => getTableName(t)).join(', ')} IN EXCLUSIVE MODE`);
    for (const table of TABLES) {
      const name = getTableName(table);
      const { rows: [found] } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${name}) AS any`);
      if (found?.any) throw new TargetNotEmpty(`the target database is not empty: ${name} has rows`);
    }
    // One read transaction over the file, read a page at a time: a consistent moment without
    // holding a million rows in memory (WAL lets the service go on writing meanwhile).
    sqlite.exec('BEGIN');
    try {
      for (const table of TABLES) {
        const name = getTableName(table);
        const columns = Object.values(getTableColumns(table)).map((c) => c.name);
        const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
        const page = sqlite.prepare(`SELECT rowid, ${columns.join(', ')} FROM ${name} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw();
        let after = 0;
        rows[name] = 0;
        for (;;) {
          const batch = page.all(after, perInsert) as unknown[][];
          if (batch.length === 0) break;
          after = batch[batch.length - 1]![0] as number;
          const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
          // The copied seq is kept (BY DEFAULT identities take explicit values).
          await client.query(`INSERT INTO ${name} (${columns.join(', ')}) VALUES ${values.join(', ')}`,
            batch.flatMap((row) => row.slice(1)));
          rows[name] += batch.length;
          if (batch.length < perInsert) break;
        }
      }
      source = auditTrail(drizzle({ client: sqlite, schema: sqliteSchema }) as Db).verify();
    } finally {
      sqlite.exec('COMMIT');
    }
    for (const name of IDENTITY_TABLES) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${name}', 'seq'),
        (SELECT COALESCE(max(seq), 0) + 1 FROM ${name}), false)`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return { rows, source: source as VerifyResult };
}

/** Both verifications end at the same head, each unbroken. */
export const sameAudit = (source: VerifyResult, target: VerifyResult): boolean =>
  source.ok && target.ok && source.head === target.head && source.checked === target.checked;
