/** The NEN 7513 access log on SQLite (what a line holds: src/audit/access-log.ts). */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { AccessEntry } from '../rows.ts';
import { accessLog } from '../../../db/schema.ts';
import type { Clock } from '../../clock.ts';
import type { Actor } from '../../auth/actors.ts';
import type { AccessAction, AccessQuery } from '../../audit/access-log.ts';
import type { RequestInfo } from '../port.ts';
import { readerMatches } from '../sql/match.ts';
import { REFERENCE_PATH } from '../sql/cases.ts';
import { sqliteDialect } from '../sql/dialect.ts';

export function accessLogRepository(db: Db, clock: Clock) {
  const insert = db.insert(accessLog).values({
    at: sql.placeholder('at'), requestId: sql.placeholder('requestId'), action: sql.placeholder('action'),
    route: sql.placeholder('route'),
    actorRole: sql.placeholder('actorRole'), actorOrganisation: sql.placeholder('actorOrganisation'),
    actorName: sql.placeholder('actorName'), actorClientId: sql.placeholder('actorClientId'),
    actorRegion: sql.placeholder('actorRegion'), purpose: sql.placeholder('purpose'),
    caseIds: sql.placeholder('caseIds'), outcome: sql.placeholder('outcome'),
  }).prepare();

  const ofRegion = db.$client.prepare(`SELECT id, ${sqliteDialect.pathText('snapshot', REFERENCE_PATH)} AS reference
    FROM cases WHERE (@region = '*' OR region = @region) AND id IN (SELECT value FROM json_each(@ids))`);

  return {
    record(request: RequestInfo, actor: Actor, action: AccessAction, caseIds: readonly string[],
      outcome: 'shown' | 'refused' = 'shown'): void {
      insert.run({
        at: clock.now().toISOString(), requestId: request.id, action,
        route: `${request.method} ${request.routeOptions.url ?? '(unknown)'}`,
        actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
        actorClientId: actor.clientId, actorRegion: actor.region, purpose: request.purpose,
        caseIds: JSON.stringify(caseIds), outcome,
      });
    },

    ofRegion(region: string, caseIds: readonly string[]): Map<string, string | null> {
      if (caseIds.length === 0) return new Map();
      const rows = ofRegion.all({ region, ids: JSON.stringify(caseIds) }) as { id: string; reference: string | null }[];
      return new Map(rows.map((r) => [r.id, r.reference]));
    },

    /**
     * Newest first; a regional reader sees its region's readers and reads of its region's cases
     * (the route then shows it only the ids of its own region's cases).
     */
    list(region: string, query: AccessQuery): AccessEntry[] {
      const where: (SQL | undefined)[] = [];
      if (region !== '*') {
        where.push(or(eq(accessLog.actorRegion, region), sql`EXISTS (SELECT 1 FROM json_each(${accessLog.caseIds}) j
          JOIN cases c ON c.id = j.value WHERE c.region = ${region})`));
      }
      if (query.from) where.push(gte(accessLog.at, query.from));
      if (query.to) where.push(lt(accessLog.at, query.to));
      if (query.caseId) {
        where.push(sql`EXISTS (SELECT 1 FROM json_each(${accessLog.caseIds}) WHERE value = ${query.caseId})`);
      }
      if (query.caseIds) {
        where.push(sql`EXISTS (SELECT 1 FROM json_each(${accessLog.caseIds})
          WHERE value IN (SELECT value FROM json_each(${JSON.stringify(query.caseIds)})))`);
      }
      if (query.actor) where.push(readerMatches(sqliteDialect, accessLog, query.actor));
      if (query.action) where.push(eq(accessLog.action, query.action));
      if (query.outcome) where.push(eq(accessLog.outcome, query.outcome));
      if (query.beforeSeq !== undefined) where.push(lt(accessLog.seq, query.beforeSeq));
      return db.select().from(accessLog).where(and(...where))
        .orderBy(desc(accessLog.seq)).limit(query.limit).all();
    },
  };
}

export type AccessLogRepository = ReturnType<typeof accessLogRepository>;
