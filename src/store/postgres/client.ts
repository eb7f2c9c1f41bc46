/**
 * Opening the PostgreSQL store (DESIGN §5.5): a connection pool and migrations. Nothing here runs
 * at import time. Several instances may start at once: the migrations run under an advisory lock,
 * so one instance migrates and the others wait for it, then find nothing left to do.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from '../../../db/pg/schema.ts';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** A transaction of the pool, as drizzle hands it to a `transaction` callback. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../db/pg/migrations', import.meta.url));

/** The advisory lock key of the migrations (any constant: one per purpose). */
const MIGRATION_LOCK = 7_313_001;

export interface PgOpenOptions {
  migrate?: boolean;
  /** Connections in the pool (default 10). */
  max?: number;
  /** drizzle's query logger (sees only the statements drizzle builds, not src/store/postgres/statements.ts's). */
  logger?: Logger;
}

export async function openPostgres(url: string, options: PgOpenOptions = {}): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its server must not take the process down with it.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, schema, ...(options.logger ? { logger: options.logger } : {}) }) as PgDb;
  if (options.migrate ?? true) {
    try {
      await migrateLocked(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  return db;
}

async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client, schema }), { migrationsFolder: PG_MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** True for a DATABASE_URL that names PostgreSQL. */
export const isPostgresUrl = (url: string | undefined): url is string =>
  url !== undefined && /^postgres(ql)?:\/\//.test(url);
