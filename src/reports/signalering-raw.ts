/**
 * What a store's signalering statements hand back: raw counts and distributions, only numbers and
 * category keys, never a case reference or free text. The report (signalering.ts) makes figures of
 * them.
 */

/**
 * Whose cases a report counts: one region's, (a national inspector) all, or (a municipality,
 * §6.4) those of one municipality in its region.
 */
export type ReportScope =
  | { kind: 'region'; region: string }
  | { kind: 'all' }
  | { kind: 'municipality'; region: string; municipality: string };

/** The named parameters a scope binds in the signalering statements. */
export function scopeParams(scope: ReportScope): Record<string, string> {
  switch (scope.kind) {
    case 'all': return {};
    case 'region': return { region: scope.region };
    case 'municipality': return { region: scope.region, municipality: scope.municipality };
  }
}

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
