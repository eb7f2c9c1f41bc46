/**
 * Runs the signalering SQL (signalering-sql.ts) and hands back raw counts and distributions:
 * only numbers and category keys, never a case reference or free text. Statements are prepared
 * once per scope kind; the report never writes.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './client.ts';
import { monthsBefore, type Period } from '../../reports/period.ts';
import { deadlinesSql, followUpSql, municipalitiesSql, signaleringSql, type ScopeKind } from './signalering-sql.ts';

/** Whose cases a report counts: one region's, or (a national inspector) all. */
export type ReportScope = { kind: 'region'; region: string } | { kind: 'all' };

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
}

export interface RawFigures {
  /** figure → key → count; a missing key counts 0. */
  counts: Map<string, Map<string, number>>;
  /** Lead times in days (d_triage, d_overleg, d_advice, d_help) and waitingWeeks. */
  distributions: Map<string, Distribution>;
  /** Every municipality the scope's cases come from. */
  municipalities: string[];
}

export interface FigureRow {
  figure: string;
  key: string | number | null;
  n: number;
  p50: number | null;
  p90: number | null;
}

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
      prepared = {
        figures: sqlite.prepare(signaleringSql(kind)),
        deadlines: sqlite.prepare(deadlinesSql(kind)),
        followUp: sqlite.prepare(followUpSql(kind)),
        municipalities: sqlite.prepare(municipalitiesSql(kind)).pluck(),
      };
      cache.set(kind, prepared);
    }
    return prepared;
  };

  return {
    /** All raw figures of the period, read in one transaction so that they describe one moment. */
    figures: sqlite.transaction((scope: ReportScope, period: Period): RawFigures => {
      const region = scope.kind === 'region' ? { region: scope.region } : {};
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

/** The rows of the figure statements (either store's) as counts and distributions. */
export function collect(rows: FigureRow[]): Omit<RawFigures, 'municipalities'> {
  const counts = new Map<string, Map<string, number>>();
  const distributions = new Map<string, Distribution>();
  for (const row of rows) {
    if (row.figure === 'distribution') {
      distributions.set(keyOf(row.key), { n: row.n, p50: row.p50 ?? 0, p90: row.p90 ?? 0 });
      continue;
    }
    const byKey = counts.get(row.figure) ?? new Map<string, number>();
    byKey.set(keyOf(row.key), (byKey.get(keyOf(row.key)) ?? 0) + row.n);
    counts.set(row.figure, byKey);
  }
  return { counts, distributions };
}

/** Keys as strings: a boolean key (0/1) becomes '0'/'1', the key of a plain total ''. */
const keyOf = (key: string | number | null): string => (key === null ? '' : String(key));
