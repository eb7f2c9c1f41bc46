/**
 * Vitest global setup: one throwaway PostgreSQL cluster for the whole run (test/support/pg-cluster.ts),
 * or the server PASSEND_TEST_DATABASE_URL names. Without either, `pgUrl` is null and the
 * PostgreSQL suites are skipped, saying why; .ci/run installs PostgreSQL so that they run there.
 */
import type { TestProject } from 'vitest/node';
import { postgresBinaries, startCluster } from './pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.PASSEND_TEST_DATABASE_URL;
  if (given) {
    project.provide('pgUrl', given);
    return () => {};
  }
  if (!postgresBinaries()) {
    console.warn('[postgres] no PostgreSQL server found: the PostgreSQL suites are skipped (apt-get install postgresql)');
    project.provide('pgUrl', null);
    return () => {};
  }
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
