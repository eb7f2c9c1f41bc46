/**
 * Vitest global setup: one throwaway PostgreSQL cluster for the whole run (test/support/pg-cluster.ts),
 * or the server PASSEND_TEST_DATABASE_URL names. Without either, `pgUrl` is null and the
 * PostgreSQL suites are skipped, saying why; .ci/run installs PostgreSQL so that they run there.
 *
 * It also migrates one template database (`pgTemplate`) for the run: every fresh test database is
 * a copy of it (CREATE DATABASE … TEMPLATE, test/support/postgres.ts), about a tenth of the time
 * of migrating each one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/store/postgres/client.ts';
import { postgresBinaries, startCluster } from './pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
    /** The migrated database every fresh test database is copied from (null without PostgreSQL). */
    pgTemplate: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.PASSEND_TEST_DATABASE_URL;
  if (!given && !postgresBinaries()) {
    console.warn('[postgres] no PostgreSQL server found: the PostgreSQL suites are skipped (apt-get install postgresql)');
    project.provide('pgUrl', null);
    project.provide('pgTemplate', null);
    return async () => {};
  }
  const cluster = given ? null : await startCluster({ durable: false });
  const url = given ?? cluster!.url;
  const template = `passend_template_${randomBytes(6).toString('hex')}`;
  await admin(url, `CREATE DATABASE ${template}`);
  const migrated = new URL(url);
  migrated.pathname = `/${template}`;
  const db = await openPostgres(migrated.toString(), { max: 1 });
  // A template must have no connection left when it is copied.
  await db.$client.end();
  project.provide('pgUrl', url);
  project.provide('pgTemplate', template);
  return async () => {
    if (cluster) cluster.stop();
    else await admin(url, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
