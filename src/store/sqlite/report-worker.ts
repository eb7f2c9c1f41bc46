/** The report thread (signalering.ts): the signalering statements on a read-only connection. */
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from './client.ts';
import * as schema from '../../../db/schema.ts';
import { serveReads } from './read-thread.ts';
import type { Period } from '../../reports/period.ts';
import { signaleringQueries } from './signalering-queries.ts';
import type { ReportScope } from '../../reports/signalering-raw.ts';

serveReads((sqlite) => {
  const queries = signaleringQueries(drizzle({ client: sqlite, schema }) as Db);
  return ({ scope, period }: { scope: ReportScope; period: Period }) => queries.figures(scope, period);
});
