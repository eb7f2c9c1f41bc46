/**
 * Where the signalering statements run: on a database file in a thread of their own with a
 * read-only connection (report-worker.ts), so that a national report over 100,000 cases does not
 * hold up the requests of every region meanwhile; on an in-memory database (the tests) in this
 * thread, the same statements.
 */
import type { Db } from './client.ts';
import type { SignaleringReader } from '../port.ts';
import { readThread } from './read-thread.ts';
import type { Period } from '../../reports/period.ts';
import { signaleringQueries } from './signalering-queries.ts';
import type { RawFigures, ReportScope } from '../../reports/signalering-raw.ts';

export function signaleringReader(db: Db): SignaleringReader {
  if (db.$client.memory) {
    const queries = signaleringQueries(db);
    return { figures: async (scope, period) => queries.figures(scope, period), close: async () => {} };
  }
  const thread = readThread<{ scope: ReportScope; period: Period }, RawFigures>(
    new URL('./report-worker.mjs', import.meta.url), db.$client.name);
  return { figures: (scope, period) => thread.call({ scope, period }), close: () => thread.close() };
}
