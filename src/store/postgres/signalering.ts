/**
 * The signalering figures on PostgreSQL: the statements of signalering-sql.ts (this folder), run in
 * one REPEATABLE READ, READ ONLY transaction so that they describe one moment. The work is the
 * server's; the event loop only waits. Times are compared as UTC (the facts are ISO instants).
 */
import type { PgDb } from './client.ts';
import { monthsBefore } from '../../reports/period.ts';
import { pgDeadlinesSql, pgFollowUpSql, pgMunicipalitiesSql, pgSignaleringSql } from './signalering-sql.ts';
import { collect, type FigureRow } from '../../reports/signalering-raw.ts';
import type { SignaleringReader } from '../port.ts';

export function pgSignaleringReader(db: PgDb): SignaleringReader {
  return {
    async figures(scope, period) {
      const client = await db.$client.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query("SET LOCAL TIME ZONE 'UTC'");
        const region = scope.kind === 'region' ? [scope.region] : [];
        const window = [period.startsAt, period.endsBefore];
        const rows = [
          ...(await client.query(pgSignaleringSql(scope.kind),
            [...window, monthsBefore(period.asOf, 3), Number(period.asOf.slice(0, 4)), ...region])).rows,
          ...(await client.query(pgDeadlinesSql(scope.kind), [...window, ...region])).rows,
          ...(await client.query(pgFollowUpSql(scope.kind), [...window, ...region])).rows,
        ] as FigureRow[];
        const municipalities = (await client.query(pgMunicipalitiesSql(scope.kind), region)).rows
          .map((r) => r.municipality as string).sort();
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
