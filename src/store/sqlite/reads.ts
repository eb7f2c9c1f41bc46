/**
 * Cases, their trail and their timers on SQLite: thin statements, prepared once, synchronous
 * (better-sqlite3), unaware of rules; the lists' SQL is shared with PostgreSQL (sql/cases.ts).
 * Callers run the writes inside their own transaction.
 */
import { and, asc, desc, eq, getTableColumns, lte, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { CaseFilter, WorkFilter, WorkItem } from '../port.ts';
import type { CaseEventRow, CaseRow, ListedNote, NewCaseRow, OutboxRow, StoredCaseEvent, TimerRow } from '../rows.ts';
import { caseEvents, cases, timers } from '../../../db/schema.ts';
import { insertSql, selectList } from '../sql/columns.ts';
import { type CaseScope } from '../../cases/access.ts';
import { listWhere, overdueOf, worklistQuery } from '../sql/cases.ts';
import { sqliteDialect } from '../sql/dialect.ts';

export function caseRepository(db: Db) {
  // The statements of every event go straight to better-sqlite3 (sql/columns.ts); the rest
  // through drizzle.
  const sqlite = db.$client;
  const findById = sqlite.prepare(`SELECT ${selectList(cases)} FROM "cases" WHERE "id" = ?`);
  const insertCase = sqlite.prepare(insertSql(cases, ['id', 'state', 'version', 'machineVersion', 'region',
    'organisation', 'municipality', 'snapshot', 'facts', 'overdue', 'regisseur', 'createdAt', 'updatedAt']));
  const updateCase = sqlite.prepare(`UPDATE "cases" SET "state" = @state, "version" = @version,
    "snapshot" = @snapshot, "facts" = @facts, "overdue" = @overdue, "regisseur" = @regisseur, "updated_at" = @updatedAt
    WHERE "id" = @id AND "version" = @expectedVersion`);
  const insertEvent = sqlite.prepare(insertSql(caseEvents, ['caseId', 'version', 'type', 'at', 'actorRole',
    'actorOrganisation', 'actorName', 'actorClientId', 'payload', 'state']));
  const eventsOf = db.select().from(caseEvents)
    .where(eq(caseEvents.caseId, sql.placeholder('caseId')))
    .orderBy(asc(caseEvents.version))
    .prepare();
  // The notes of a case, from its trail (the stored snapshot does not keep them, src/cases/case-writes.ts),
  // newest first through the partial index case_events_notes: a page costs the same on a case
  // with ten notes and on one with a thousand.
  const notesOf = db.$client.prepare(`SELECT version, at, json_extract(payload, '$.text'), actor_name, actor_organisation
    FROM case_events
    WHERE case_id = ? AND type = 'ADD_NOTE' AND version < ? ORDER BY version DESC LIMIT ?`).raw();
  const noteCount = db.$client.prepare(`SELECT count(*) FROM case_events
    WHERE case_id = ? AND type = 'ADD_NOTE'`).pluck();
  const armTimer = sqlite.prepare(`INSERT INTO "timers" ("case_id", "name", "due_at", "event", "status", "armed_at")
    VALUES (@caseId, @name, @dueAt, @event, 'pending', @armedAt)`);
  const cancelTimer = sqlite.prepare(`UPDATE "timers" SET "status" = 'cancelled', "settled_at" = ?
    WHERE "case_id" = ? AND "name" = ? AND "status" = 'pending'`);
  const settleTimer = db.update(timers)
    .set({ status: sql`${sql.placeholder('status')}`, settledAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(timers.seq, sql.placeholder('seq')), eq(timers.status, 'pending')))
    .prepare();
  const timerBySeq = db.select().from(timers).where(eq(timers.seq, sql.placeholder('seq'))).prepare();
  const dueTimers = db.select({ seq: timers.seq }).from(timers)
    .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, sql.placeholder('now'))))
    .orderBy(asc(timers.dueAt)).limit(sql.placeholder('limit')).prepare();
  const dueTimersOf = sqlite.prepare(`SELECT "seq" FROM "timers"
    WHERE "case_id" = ? AND "status" = 'pending' AND "due_at" <= ? ORDER BY "due_at"`).pluck();
  const insertOutbox = sqlite.prepare(`INSERT INTO "outbox"
    ("id", "case_id", "region", "kind", "payload", "created_at", "status", "next_attempt_at")
    VALUES (@id, @caseId, @region, @kind, @payload, @createdAt, 'pending', @createdAt)`);

  return {
    find: (id: string): CaseRow | undefined => findById.get(id) as CaseRow | undefined,
    insert: (row: NewCaseRow): void => void insertCase.run(row),
    /** Optimistic: writes only when the stored version is still `expectedVersion`. */
    update: (row: Pick<CaseRow, 'id' | 'state' | 'version' | 'snapshot' | 'facts' | 'overdue' | 'regisseur' | 'updatedAt'> & {
      expectedVersion: number;
    }): boolean => updateCase.run(row).changes === 1,
    appendEvent: (row: CaseEventRow): void => void insertEvent.run(row),
    events: (caseId: string): StoredCaseEvent[] => eventsOf.all({ caseId }),
    /** Up to `limit` notes written before version `before`, newest first, with their version and author. */
    notes: (caseId: string, limit: number, before = Number.MAX_SAFE_INTEGER): ListedNote[] =>
      (notesOf.all(caseId, before, limit) as [number, string, string, string, string | null][])
        .map(([version, at, text, name, organisation]) => ({ type: 'ADD_NOTE', text, at, version, by: { name, organisation } })),
    noteCount: (caseId: string): number => noteCount.get(caseId) as number,
    armTimer: (row: { caseId: string; name: string; dueAt: string; event: string; armedAt: string }): void =>
      void armTimer.run(row),
    cancelTimer: (caseId: string, name: string, at: string): void => void cancelTimer.run(at, caseId, name),
    /** Marks a pending timer fired or cancelled; false when it was no longer pending. */
    settleTimer: (seq: number, status: 'fired' | 'cancelled', at: string): boolean =>
      settleTimer.run({ seq, status, at }).changes === 1,
    timer: (seq: number): TimerRow | undefined => timerBySeq.get({ seq }),
    dueTimers: (now: string, limit: number): number[] => dueTimers.all({ now, limit }).map((t) => t.seq),
    dueTimersOf: (caseId: string, now: string): number[] => dueTimersOf.all(caseId, now) as number[],
    enqueueNotification: (row: Omit<OutboxRow, 'status' | 'nextAttemptAt'>): void => void insertOutbox.run(row),
    /** A page of cases, newest first (sql/cases.ts). */
    list: (scope: CaseScope, filter: CaseFilter & { now: string }): CaseRow[] =>
      db.select({ ...getTableColumns(cases), overdue: overdueOf(cases, filter.now) }).from(cases)
        .where(listWhere(cases, scope, filter)).orderBy(desc(cases.seq)).limit(filter.limit).all(),

    /** The console's work list (sql/cases.ts). */
    worklist: (scope: CaseScope, filter: WorkFilter & { now: string }): WorkItem[] => {
      const query = worklistQuery(cases, sqliteDialect, scope, filter);
      return db.select(query.columns).from(cases).where(query.where).orderBy(...query.orderBy).limit(filter.limit).all();
    },
  };
}

export type CaseRepository = ReturnType<typeof caseRepository>;
