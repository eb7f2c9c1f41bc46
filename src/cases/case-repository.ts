/**
 * The SQL of cases and their events: thin, prepared once, synchronous (better-sqlite3), and
 * unaware of rules. Callers run the writes inside their own transaction.
 */
import { and, asc, desc, eq, getTableColumns, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases, outbox, timers } from '../../db/schema.ts';
import type { CaseScope } from './access.ts';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = Omit<CaseRow, 'seq'>;
export type CaseEventRow = typeof caseEvents.$inferInsert;
export type StoredCaseEvent = typeof caseEvents.$inferSelect;

export type TimerRow = typeof timers.$inferSelect;
export type OutboxRow = typeof outbox.$inferInsert;

export interface CaseFilter {
  state?: string;
  overdue?: boolean;
  municipality?: string;
  /** Only cases with seq below this (the cursor of the previous page). */
  beforeSeq?: number;
  limit: number;
}

export function caseRepository(db: Db) {
  const findById = db.select().from(cases).where(eq(cases.id, sql.placeholder('id'))).prepare();
  const insertCase = db.insert(cases).values({
    id: sql.placeholder('id'),
    state: sql.placeholder('state'),
    version: sql.placeholder('version'),
    machineVersion: sql.placeholder('machineVersion'),
    region: sql.placeholder('region'),
    organisation: sql.placeholder('organisation'),
    municipality: sql.placeholder('municipality'),
    snapshot: sql.placeholder('snapshot'),
    facts: sql.placeholder('facts'),
    overdue: sql.placeholder('overdue'),
    createdAt: sql.placeholder('createdAt'),
    updatedAt: sql.placeholder('updatedAt'),
  }).prepare();
  const updateCase = db.update(cases)
    .set({
      state: sql`${sql.placeholder('state')}`,
      version: sql`${sql.placeholder('version')}`,
      snapshot: sql`${sql.placeholder('snapshot')}`,
      facts: sql`${sql.placeholder('facts')}`,
      overdue: sql`${sql.placeholder('overdue')}`,
      updatedAt: sql`${sql.placeholder('updatedAt')}`,
    })
    .where(and(eq(cases.id, sql.placeholder('id')), eq(cases.version, sql.placeholder('expectedVersion'))))
    .prepare();
  const insertEvent = db.insert(caseEvents).values({
    caseId: sql.placeholder('caseId'),
    version: sql.placeholder('version'),
    type: sql.placeholder('type'),
    at: sql.placeholder('at'),
    actorRole: sql.placeholder('actorRole'),
    actorOrganisation: sql.placeholder('actorOrganisation'),
    actorName: sql.placeholder('actorName'),
    actorClientId: sql.placeholder('actorClientId'),
    payload: sql.placeholder('payload'),
    state: sql.placeholder('state'),
  }).prepare();
  const eventsOf = db.select().from(caseEvents)
    .where(eq(caseEvents.caseId, sql.placeholder('caseId')))
    .orderBy(asc(caseEvents.version))
    .prepare();
  const armTimer = db.insert(timers).values({
    caseId: sql.placeholder('caseId'),
    name: sql.placeholder('name'),
    dueAt: sql.placeholder('dueAt'),
    event: sql.placeholder('event'),
    status: 'pending',
    armedAt: sql.placeholder('armedAt'),
  }).prepare();
  const cancelTimer = db.update(timers)
    .set({ status: 'cancelled', settledAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(timers.caseId, sql.placeholder('caseId')), eq(timers.name, sql.placeholder('name')),
      eq(timers.status, 'pending')))
    .prepare();
  const settleTimer = db.update(timers)
    .set({ status: sql`${sql.placeholder('status')}`, settledAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(timers.seq, sql.placeholder('seq')), eq(timers.status, 'pending')))
    .prepare();
  const timerBySeq = db.select().from(timers).where(eq(timers.seq, sql.placeholder('seq'))).prepare();
  const dueTimers = db.select({ seq: timers.seq }).from(timers)
    .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, sql.placeholder('now'))))
    .orderBy(asc(timers.dueAt)).limit(sql.placeholder('limit')).prepare();
  const dueTimersOf = db.select({ seq: timers.seq }).from(timers)
    .where(and(eq(timers.caseId, sql.placeholder('caseId')), eq(timers.status, 'pending'),
      lte(timers.dueAt, sql.placeholder('now'))))
    .orderBy(asc(timers.dueAt)).prepare();
  const insertOutbox = db.insert(outbox).values({
    id: sql.placeholder('id'),
    caseId: sql.placeholder('caseId'),
    region: sql.placeholder('region'),
    kind: sql.placeholder('kind'),
    payload: sql.placeholder('payload'),
    createdAt: sql.placeholder('createdAt'),
    status: 'pending',
    nextAttemptAt: sql.placeholder('createdAt'),
  }).prepare();

  return {
    find: (id: string): CaseRow | undefined => findById.get({ id }),
    insert: (row: NewCaseRow): void => void insertCase.run(row),
    /** Optimistic: writes only when the stored version is still `expectedVersion`. */
    update: (row: Pick<CaseRow, 'id' | 'state' | 'version' | 'snapshot' | 'facts' | 'overdue' | 'updatedAt'> & {
      expectedVersion: number;
    }): boolean => updateCase.run(row).changes === 1,
    appendEvent: (row: CaseEventRow): void => void insertEvent.run(row),
    events: (caseId: string): StoredCaseEvent[] => eventsOf.all({ caseId }),
    armTimer: (row: { caseId: string; name: string; dueAt: string; event: string; armedAt: string }): void =>
      void armTimer.run(row),
    cancelTimer: (caseId: string, name: string, at: string): void => void cancelTimer.run({ caseId, name, at }),
    /** Marks a pending timer fired or cancelled; false when it was no longer pending. */
    settleTimer: (seq: number, status: 'fired' | 'cancelled', at: string): boolean =>
      settleTimer.run({ seq, status, at }).changes === 1,
    timer: (seq: number): TimerRow | undefined => timerBySeq.get({ seq }),
    dueTimers: (now: string, limit: number): number[] => dueTimers.all({ now, limit }).map((t) => t.seq),
    dueTimersOf: (caseId: string, now: string): number[] => dueTimersOf.all({ caseId, now }).map((t) => t.seq),
    enqueueNotification: (row: Omit<OutboxRow, 'status' | 'nextAttemptAt'>): void => void insertOutbox.run(row),
    /**
     * A page of cases. `overdue` is as exact as the case view: recorded as passed, or with a
     * pending deadline whose due time `now` has reached (the scheduler's next round records it).
     */
    list: (scope: CaseScope, filter: CaseFilter & { now: string }): CaseRow[] => {
      const overdue = sql<number>`(${cases.overdue} = 1 OR EXISTS (SELECT 1 FROM timers t
        WHERE t.case_id = ${cases.id} AND t.status = 'pending' AND t.due_at <= ${filter.now}))`;
      // A destroyed file is no longer listed.
      const where: (SQL | undefined)[] = [scopeCondition(scope), isNull(cases.erasedAt)];
      if (filter.state) where.push(eq(cases.state, filter.state));
      if (filter.overdue !== undefined) where.push(filter.overdue ? overdue : sql`NOT ${overdue}`);
      if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
      if (filter.beforeSeq !== undefined) where.push(lt(cases.seq, filter.beforeSeq));
      return db.select({ ...getTableColumns(cases), overdue }).from(cases).where(and(...where))
        .orderBy(desc(cases.seq)).limit(filter.limit).all();
    },
  };
}

export type CaseRepository = ReturnType<typeof caseRepository>;

function scopeCondition(scope: CaseScope): SQL | undefined {
  switch (scope.kind) {
    case 'organisation':
      return and(eq(cases.organisation, scope.organisation), eq(cases.region, scope.region));
    case 'region':
      return eq(cases.region, scope.region);
    case 'all':
      return undefined;
    case 'none':
      return sql`0`;
  }
}
