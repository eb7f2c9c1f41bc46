/**
 * PostgreSQL for a test file: a database of its own on the run's cluster (pg-global-setup.ts),
 * copied from the run's migrated template, and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgres, type PgDb } from '../../src/store/postgres/client.ts';

/** The cluster of this run, or null (then the PostgreSQL suites are skipped). */
export const pgUrl: string | null = inject('pgUrl');
const pgTemplate: string | null = inject('pgTemplate');

export interface PgTestDatabase {
  url: string;
  db: PgDb;
  drop(): Promise<void>;
}

/** A new, migrated database on the run's cluster: a copy of the template the global setup migrated. */
export async function freshPgDatabase(): Promise<PgTestDatabase> {
  if (!pgUrl || !pgTemplate) throw new Error('no PostgreSQL for this run');
  const name = `passend_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplate}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  // Migrated already (the template is): its migrations table says so to any later openPostgres.
  const db = await openPostgres(url.toString(), { migrate: false });
  return {
    url: url.toString(),
    db,
    async drop() {
      if (!db.$client.ended) await db.$client.end();
      const again = new pg.Client({ connectionString: pgUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
