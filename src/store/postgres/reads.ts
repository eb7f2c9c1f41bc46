/**
 * The reads of cases on PostgreSQL, as case-repository.ts does them on SQLite: one case, a page of
 * cases, a case's notes and trail, the console's work list. The JSON columns are text (the audit
 * hashes their exact bytes); the filters read them as jsonb.
 */
import { and, asc, count, desc, eq, getTableColumns, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { PgDb } from './client.ts';
import { caseEvents, cases } from '../../../db/pg/schema.ts';
import { type CaseScope } from '../../cases/access.ts';
import { UUID } from '../../validation.ts';
import type { StampedNote } from '../rows.ts';
import { scopeWhere } from '../sql/scope.ts';
import type { CaseFilter, CaseReads, WorkFilter, WorkItem } from '../port.ts';
import type { PgTx } from './client.ts';

const notesOf = (caseId: string) => and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, 'ADD_NOTE'));

/** Over the pool, or inside a transaction (the engine reads the view it answers with in its own). */
export function pgCaseReads(db: PgDb | PgTx): CaseReads {
  const overdueOf = (now: string) => sql<number>`(CASE WHEN ${cases.overdue} = 1 OR EXISTS (SELECT 1 FROM timers t
    WHERE t.case_id = ${cases.id} AND t.status = 'pending' AND t.due_at <= ${now}) THEN 1 ELSE 0 END)`;
  return {
    // An id that is not one we give out names no case (and PostgreSQL refuses text with a NUL byte).
    find: async (id) => (UUID.test(id) ? (await db.select().from(cases).where(eq(cases.id, id)))[0] : undefined),

    async list(scope: CaseScope, filter: CaseFilter & { now: string }) {
      const overdue = overdueOf(filter.now);
      const where: (SQL | undefined)[] = [scopeWhere(scope, cases), isNull(cases.erasedAt)];
      if (filter.state) where.push(eq(cases.state, filter.state));
      if (filter.overdue !== undefined) where.push(filter.overdue ? sql`${overdue} = 1` : sql`${overdue} = 0`);
      if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
      if (filter.beforeSeq !== undefined) where.push(lt(cases.seq, filter.beforeSeq));
      return db.select({ ...getTableColumns(cases), overdue }).from(cases).where(and(...where))
        .orderBy(desc(cases.seq)).limit(filter.limit);
    },

    async notes(caseId: string, limit: number, before = Number.MAX_SAFE_INTEGER) {
      const rows = await db.select({ version: caseEvents.version, at: caseEvents.at,
        text: sql<string>`${caseEvents.payload}::jsonb ->> 'text'` })
        .from(caseEvents).where(and(notesOf(caseId), lt(caseEvents.version, Math.min(before, 2 ** 31 - 1))))
        .orderBy(desc(caseEvents.version)).limit(limit);
      return rows.map((r): StampedNote & { version: number } => ({ type: 'ADD_NOTE', ...r }));
    },

    noteCount: async (caseId) => (await db.select({ n: count() }).from(caseEvents).where(notesOf(caseId)))[0]!.n,

    events: async (caseId) => db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.version)),

    async worklist(scope: CaseScope, filter: WorkFilter & { now: string }): Promise<WorkItem[]> {
      const nextDue = sql<string | null>`(SELECT MIN(t.due_at) FROM timers t WHERE t.case_id = ${cases.id} AND t.status = 'pending')`;
      const overdue = overdueOf(filter.now);
      const facts = sql`${cases.facts}::jsonb`;
      const where: (SQL | undefined)[] = [scopeWhere(scope, cases), isNull(cases.erasedAt)];
      if (filter.state) where.push(eq(cases.state, filter.state));
      if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
      if (filter.overdue) where.push(sql`${overdue} = 1`);
      if (filter.from) where.push(sql`${cases.createdAt} >= ${filter.from}`);
      if (filter.to) where.push(sql`${cases.createdAt} < ${filter.to}`);
      if (filter.notInvolved) {
        where.push(sql`EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(${facts} -> 'overleggen', '[]'::jsonb)) o
          WHERE o #>> '{youth,participation}' = 'not_involved' OR o #>> '{parents,participation}' = 'not_involved')`);
      }
      if (filter.familyDisagrees) {
        where.push(sql`EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(${cases.snapshot}::jsonb #> '{context,record,advices}', '[]'::jsonb)) a
          WHERE a #>> '{familyResponse,youth}' = 'disagrees' OR a #>> '{familyResponse,parents}' = 'disagrees')`);
      }
      if (filter.closedWithoutHelp) {
        where.push(sql`${cases.state} = 'closed' AND jsonb_array_length(COALESCE(${facts} -> 'advices', '[]'::jsonb)) > 0
          AND ${facts} ->> 'helpStartedAt' IS NULL`);
      }
      if (filter.escalated) where.push(sql`${facts} ->> 'firstEscalationAt' IS NOT NULL`);
      return db.select({
        id: cases.id, state: cases.state, municipality: cases.municipality, createdAt: cases.createdAt,
        updatedAt: cases.updatedAt, overdue, nextDue,
        nextDueName: sql<string | null>`(SELECT t.name FROM timers t WHERE t.case_id = ${cases.id} AND t.status = 'pending'
          ORDER BY t.due_at LIMIT 1)`,
        closureType: sql<string | null>`${facts} #>> '{closure,type}'`,
        closureOutcome: sql<string | null>`${facts} #>> '{closure,outcome}'`,
        reference: sql<string | null>`${cases.snapshot}::jsonb #>> '{context,record,submission,subject,reference}'`,
      }).from(cases).where(and(...where))
        .orderBy(desc(overdue), sql`${nextDue} IS NULL`, nextDue, desc(cases.seq)).limit(filter.limit);
    },
  };
}
