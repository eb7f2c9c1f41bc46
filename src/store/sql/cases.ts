/**
 * The SQL of the case lists, written once for both stores: a page of cases (GET /cases) and the
 * console's work list. The stores differ only in how they read JSON, which their Dialect
 * (dialect.ts) says; the conditions, the columns and the order are the same text on both.
 */
import { and, desc, eq, isNull, lt, sql, type Column, type SQL } from 'drizzle-orm';
import type { CaseScope } from '../../cases/access.ts';
import type { CaseFilter, WorkFilter } from '../port.ts';
import type { Dialect } from './dialect.ts';
import { containsFolded } from './match.ts';
import { scopeWhere } from './scope.ts';

/** A JSON column of cases (kept as text), as the dialect reads it. */
type JsonColumn = 'facts' | 'snapshot';

/** The text at `path` of a JSON column of the case (NULL when missing). */
const text = (d: Dialect, column: JsonColumn, path: string): SQL => sql.raw(d.pathText(d.parse(column), path));

/** Some element of the array at `path` of a JSON column has one of `paths` equal to `value`. */
const anyElement = (d: Dialect, column: JsonColumn, path: string, paths: readonly string[], value: string): SQL =>
  sql.raw(`EXISTS (SELECT 1 FROM ${d.each(d.parse(column), 'e', { path })} WHERE ${
    paths.map((p) => `${d.pathText('e.value', p)} = '${value}'`).join(' OR ')})`);

/** The columns of the cases table the lists read, from either schema. */
export interface CaseColumns {
  id: Column;
  seq: Column;
  state: Column;
  region: Column;
  organisation: Column;
  municipality: Column;
  snapshot: Column;
  facts: Column;
  overdue: Column;
  regisseur: Column;
  createdAt: Column;
  updatedAt: Column;
  erasedAt: Column;
}

/**
 * Overdue as exactly as the case view says it: recorded as passed, or with a pending deadline
 * whose due time `now` has reached (the scheduler's next round records it). 1 or 0.
 */
export function overdueOf(cases: CaseColumns, now: string): SQL<number> {
  return sql<number>`(CASE WHEN ${cases.overdue} = 1 OR EXISTS (SELECT 1 FROM timers t
    WHERE t.case_id = ${cases.id} AND t.status = 'pending' AND t.due_at <= ${now}) THEN 1 ELSE 0 END)`;
}

/**
 * The person of the case's `regisseur` column while they can be regisseur of it (§6.3): active, of
 * the expert team, of the case's region (src/cases/regisseur.ts says the same of one person).
 */
const activeRegisseur = (cases: CaseColumns, column: 'name' | 'id'): SQL<string | null> =>
  sql<string | null>`(SELECT u.${sql.raw(column)} FROM users u WHERE u.id = ${cases.regisseur} AND u.disabled_at IS NULL
    AND u.role = 'expert_team' AND u.region = ${cases.region})`;

/** The filters a page of cases and the work list share: the regisseur's own (§6.3), and open ones only. */
function ownerWhere(cases: CaseColumns, filter: { regisseur?: string; open?: boolean }): SQL[] {
  const where: SQL[] = [];
  if (filter.regisseur !== undefined) {
    where.push(sql`${cases.regisseur} = ${filter.regisseur} AND ${activeRegisseur(cases, 'id')} IS NOT NULL`);
  }
  if (filter.open) where.push(sql`${cases.state} <> 'closed'`);
  return where;
}

/** A page of cases, newest first: the condition (a destroyed file is no longer listed). */
export function listWhere(cases: CaseColumns, scope: CaseScope, filter: CaseFilter & { now: string }): SQL | undefined {
  const overdue = overdueOf(cases, filter.now);
  const where: (SQL | undefined)[] = [scopeWhere(scope, cases), isNull(cases.erasedAt), ...ownerWhere(cases, filter)];
  if (filter.state) where.push(eq(cases.state, filter.state));
  if (filter.overdue !== undefined) where.push(sql`${overdue} = ${filter.overdue ? 1 : 0}`);
  if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
  if (filter.beforeSeq !== undefined) where.push(lt(cases.seq, filter.beforeSeq));
  return and(...where);
}

/**
 * The console's work list: the columns, the condition and the order (what is overdue first, then
 * by the nearest open deadline, then newest). How a case closed and its escalation come from the
 * report facts; the family's response to an advice and the referrer's own reference are not in
 * the facts (no free text or reference there, by design) and are read from the snapshot.
 */
/** Where a case's snapshot keeps the referrer's own reference (kenmerk). */
export const REFERENCE_PATH = 'context.record.submission.subject.reference';

export function worklistQuery(cases: CaseColumns, d: Dialect, scope: CaseScope, filter: WorkFilter & { now: string }) {
  const pending = sql`FROM timers t WHERE t.case_id = ${cases.id} AND t.status = 'pending'`;
  const nextDue = sql<string | null>`(SELECT MIN(t.due_at) ${pending})`;
  const overdue = overdueOf(cases, filter.now);
  const reference = text(d, 'snapshot', REFERENCE_PATH);
  const where: (SQL | undefined)[] = [scopeWhere(scope, cases), isNull(cases.erasedAt), ...ownerWhere(cases, filter)];
  if (filter.state) where.push(eq(cases.state, filter.state));
  if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
  if (filter.overdue) where.push(sql`${overdue} = 1`);
  if (filter.from) where.push(sql`${cases.createdAt} >= ${filter.from}`);
  if (filter.to) where.push(sql`${cases.createdAt} < ${filter.to}`);
  if (filter.notInvolved) {
    where.push(anyElement(d, 'facts', 'overleggen', ['youth.participation', 'parents.participation'], 'not_involved'));
  }
  if (filter.familyDisagrees) {
    where.push(anyElement(d, 'snapshot', 'context.record.advices', ['familyResponse.youth', 'familyResponse.parents'],
      'disagrees'));
  }
  if (filter.closedWithoutHelp) {
    where.push(sql`${cases.state} = 'closed' AND ${text(d, 'facts', 'advices[0].at')} IS NOT NULL
      AND ${text(d, 'facts', 'helpStartedAt')} IS NULL`);
  }
  if (filter.escalated) where.push(sql`${text(d, 'facts', 'firstEscalationAt')} IS NOT NULL`);
  if (filter.reference) where.push(containsFolded(d, reference, filter.reference));
  return {
    columns: {
      id: sql<string>`${cases.id}`, state: sql<string>`${cases.state}`, municipality: sql<string>`${cases.municipality}`,
      createdAt: sql<string>`${cases.createdAt}`, updatedAt: sql<string>`${cases.updatedAt}`, overdue, nextDue,
      nextDueName: sql<string | null>`(SELECT t.name ${pending} ORDER BY t.due_at LIMIT 1)`,
      closureType: sql<string | null>`${text(d, 'facts', 'closure.type')}`,
      closureOutcome: sql<string | null>`${text(d, 'facts', 'closure.outcome')}`,
      reference: sql<string | null>`${reference}`,
      regisseurId: activeRegisseur(cases, 'id'),
      regisseurName: activeRegisseur(cases, 'name'),
    },
    where: and(...where),
    orderBy: [desc(overdue), sql`${nextDue} IS NULL`, nextDue, desc(cases.seq)],
  };
}
