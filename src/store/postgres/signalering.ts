/**
 * The signalering figures on PostgreSQL: the statements of src/store/sql/signalering.ts in
 * PostgreSQL's dialect (named parameters bound as $1, $2, … in the order each statement names
 * them), run in one REPEATABLE READ, READ ONLY transaction so that they describe one moment. The
 * work is the server's; the event loop only waits. Times are compared as UTC (the facts are ISO
 * instants).
 */
import type { PgDb } from './client.ts';
import { monthsBefore } from '../../reports/period.ts';
import { postgresDialect, type Statement } from '../sql/dialect.ts';
import { signaleringStatements, type ScopeKind, type SignaleringStatements } from '../sql/signalering.ts';
import { collect, scopeParams, type FigureRow } from '../../reports/signalering-raw.ts';
import type { SignaleringReader } from '../port.ts';

export function pgSignaleringReader(db: PgDb): SignaleringReader {
  const cache = new Map<ScopeKind, SignaleringStatements>();
  const statements = (kind: ScopeKind): SignaleringStatements => {
    let built = cache.get(kind);
    if (!built) cache.set(kind, (built = signaleringStatements(postgresDialect, kind)));
    return built;
  };
  return {
    async figures(scope, period) {
      const client = await db.$client.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query("SET LOCAL TIME ZONE 'UTC'");
        const params: Record<string, unknown> = {
          start: period.startsAt, end: period.endsBefore, cutoff: monthsBefore(period.asOf, 3),
          asOfYear: Number(period.asOf.slice(0, 4)), ...scopeParams(scope),
        };
        const run = async <Row extends object = FigureRow>(statement: Statement): Promise<Row[]> =>
          (await client.query<Row>(statement.text, statement.names.map((name) => params[name]))).rows;
        const s = statements(scope.kind);
        const rows = [...await run(s.figures), ...await run(s.deadlines), ...await run(s.followUp)];
        const municipalities = (await run<{ municipality: string }>(s.municipalities)).map((r) => r.municipality).sort();
        await client.query('COMMIT');
        return { ...collect(rows), municipalities };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: async () => {},
  };
}
