/**
 * Runs the signalering SQL (src/store/sql/signalering.ts, in SQLite's dialect) and hands back raw
 * counts and distributions (src/reports/signalering-raw.ts). Statements are prepared once per
 * scope kind and bound by name; the report never writes.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './client.ts';
import { monthsBefore, type Period } from '../../reports/period.ts';
import { collect, scopeParams, type FigureRow, type RawFigures, type ReportScope } from '../../reports/signalering-raw.ts';
import { sqliteDialect } from '../sql/dialect.ts';
import { signaleringStatements, type ScopeKind } from '../sql/signalering.ts';

interface Statements {
  figures: Statement;
  deadlines: Statement;
  followUp: Statement;
  municipalities: Statement;
}

export function signaleringQueries(db: Db) {
  const sqlite = db.$client;
  const cache = new Map<ScopeKind, Statements>();
  const statements = (kind: ScopeKind): Statements => {
    let prepared = cache.get(kind);
    if (!prepared) {
      const sql = signaleringStatements(sqliteDialect, kind);
      prepared = {
        figures: sqlite.prepare(sql.figures.text),
        deadlines: sqlite.prepare(sql.deadlines.text),
        followUp: sqlite.prepare(sql.followUp.text),
        municipalities: sqlite.prepare(sql.municipalities.text).pluck(),
      };
      cache.set(kind, prepared);
    }
    return prepared;
  };

  return {
    /** All raw figures of the period, read in one transaction so that they describe one moment. */
    figures: sqlite.transaction((scope: ReportScope, period: Period): RawFigures => {
      const region = scopeParams(scope);
      const s = statements(scope.kind);
      const window = { start: period.startsAt, end: period.endsBefore };
      const rows = [
        ...s.figures.all({
          ...window, cutoff: monthsBefore(period.asOf, 3), asOfYear: Number(period.asOf.slice(0, 4)), ...region,
        }),
        ...s.deadlines.all({ ...window, ...region }),
        ...s.followUp.all({ ...window, ...region }),
      ] as FigureRow[];
      return { ...collect(rows), municipalities: (s.municipalities.all(region) as string[]).sort() };
    }),
  };
}

export type SignaleringQueries = ReturnType<typeof signaleringQueries>;
