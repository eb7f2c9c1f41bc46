/**
 * The reads of cases on PostgreSQL, as sqlite/reads.ts does them on SQLite: one case, a page of
 * cases, a case's notes and trail, the console's work list. The JSON columns are text (the audit
 * hashes their exact bytes); the filters read them as jsonb.
 */
import { and, asc, count, desc, eq, getTableColumns, lt, sql } from 'drizzle-orm';
import type { PgDb } from './client.ts';
import { caseEvents, cases } from '../../../db/pg/schema.ts';
import { type CaseScope } from '../../cases/access.ts';
import { UUID } from '../../validation.ts';
import type { ListedNote } from '../rows.ts';
import { listWhere, overdueOf, worklistQuery } from '../sql/cases.ts';
import { postgresDialect } from '../sql/dialect.ts';
import type { CaseFilter, CaseReads, WorkFilter, WorkItem } from '../port.ts';
import type { PgTx } from './client.ts';

const notesOf = (caseId: string) => and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, 'ADD_NOTE'));

/** Over the pool, or inside a transaction (the engine reads the view it answers with in its own). */
export function pgCaseReads(db: PgDb | PgTx): CaseReads {
  return {
    // An id that is not one we give out names no case (and PostgreSQL refuses text with a NUL byte).
    find: async (id) => (UUID.test(id) ? (await db.select().from(cases).where(eq(cases.id, id)))[0] : undefined),

    async list(scope: CaseScope, filter: CaseFilter & { now: string }) {
      return db.select({ ...getTableColumns(cases), overdue: overdueOf(cases, filter.now) }).from(cases)
        .where(listWhere(cases, scope, filter)).orderBy(desc(cases.seq)).limit(filter.limit);
    },

    async notes(caseId: string, limit: number, before = Number.MAX_SAFE_INTEGER) {
      const rows = await db.select({ version: caseEvents.version, at: caseEvents.at,
        text: sql<string>`${caseEvents.payload}::jsonb ->> 'text'`,
        name: caseEvents.actorName, organisation: caseEvents.actorOrganisation })
        .from(caseEvents).where(and(notesOf(caseId), lt(caseEvents.version, Math.min(before, 2 ** 31 - 1))))
        .orderBy(desc(caseEvents.version)).limit(limit);
      return rows.map(({ version, at, text, name, organisation }): ListedNote =>
        ({ type: 'ADD_NOTE', version, at, text, by: { name, organisation } }));
    },

    noteCount: async (caseId) => (await db.select({ n: count() }).from(caseEvents).where(notesOf(caseId)))[0]!.n,

    events: async (caseId) => db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.version)),

    async worklist(scope: CaseScope, filter: WorkFilter & { now: string }): Promise<WorkItem[]> {
      const query = worklistQuery(cases, postgresDialect, scope, filter);
      return db.select(query.columns).from(cases).where(query.where).orderBy(...query.orderBy).limit(filter.limit);
    },
  };
}
