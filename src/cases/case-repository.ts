/**
 * The SQL of cases and their events: thin, prepared once, synchronous (better-sqlite3), and
 * unaware of rules. Callers run the writes inside their own transaction.
 */
import { and, asc, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { caseEvents, cases, regions } from '../../db/schema.ts';
import type { CaseScope } from './access.ts';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = Omit<typeof cases.$inferInsert, 'seq'>;
export type CaseEventRow = typeof caseEvents.$inferInsert;
export type StoredCaseEvent = typeof caseEvents.$inferSelect;

export interface CaseFilter {
  state?: string;
  municipality?: string;
  /** Only cases with seq below this (the cursor of the previous page). */
  beforeSeq?: number;
  limit: number;
}

const DEFAULT_REGION = { bridgingThresholdWeeks: 0 };

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
    createdAt: sql.placeholder('createdAt'),
    updatedAt: sql.placeholder('updatedAt'),
  }).prepare();
  const updateCase = db.update(cases)
    .set({
      state: sql`${sql.placeholder('state')}`,
      version: sql`${sql.placeholder('version')}`,
      snapshot: sql`${sql.placeholder('snapshot')}`,
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
  const regionById = db.select({ bridgingThresholdWeeks: regions.bridgingThresholdWeeks })
    .from(regions).where(eq(regions.id, sql.placeholder('id'))).prepare();

  return {
    find: (id: string): CaseRow | undefined => findById.get({ id }),
    insert: (row: NewCaseRow): void => void insertCase.run(row),
    /** Optimistic: writes only when the stored version is still `expectedVersion`. */
    update: (row: Pick<CaseRow, 'id' | 'state' | 'version' | 'snapshot' | 'updatedAt'> & {
      expectedVersion: number;
    }): boolean => updateCase.run(row).changes === 1,
    appendEvent: (row: CaseEventRow): void => void insertEvent.run(row),
    events: (caseId: string): StoredCaseEvent[] => eventsOf.all({ caseId }),
    regionSettings: (id: string) => regionById.get({ id }) ?? DEFAULT_REGION,
    list: (scope: CaseScope, filter: CaseFilter): CaseRow[] => {
      const where: (SQL | undefined)[] = [scopeCondition(scope)];
      if (filter.state) where.push(eq(cases.state, filter.state));
      if (filter.municipality) where.push(eq(cases.municipality, filter.municipality));
      if (filter.beforeSeq !== undefined) where.push(lt(cases.seq, filter.beforeSeq));
      return db.select().from(cases).where(and(...where))
        .orderBy(desc(cases.seq)).limit(filter.limit).all();
    },
  };
}

export type CaseRepository = ReturnType<typeof caseRepository>;

function scopeCondition(scope: CaseScope): SQL | undefined {
  switch (scope.kind) {
    case 'organisation':
      return eq(cases.organisation, scope.organisation);
    case 'region':
      return eq(cases.region, scope.region);
    case 'all':
      return undefined;
    case 'none':
      return sql`0`;
  }
}
