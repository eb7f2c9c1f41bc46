/** The NEN 7513 access log on PostgreSQL (what a line holds: src/audit/access-log.ts). */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { accessLog } from '../../../db/pg/schema.ts';
import type { AccessAction, AccessQuery } from '../../audit/access-log.ts';
import type { Actor } from '../../auth/actors.ts';
import type { Clock } from '../../clock.ts';
import type { AccessEntry, AccessLog } from '../port.ts';
import type { PgDb } from './client.ts';
import { readerMatches } from '../sql/match.ts';
import { REFERENCE_PATH } from '../sql/cases.ts';
import { postgresDialect } from '../sql/dialect.ts';

export function pgAccessLog(db: PgDb, clock: Clock): AccessLog {
  /** Case ids in a line's JSON array, as a set of text. */
  const idsOf = sql`jsonb_array_elements_text(${accessLog.caseIds}::jsonb)`;
  return {
    async record(request, actor: Actor, action: AccessAction, caseIds: readonly string[], outcome = 'shown') {
      await db.insert(accessLog).values({
        at: clock.now().toISOString(), requestId: request.id, action,
        route: `${request.method} ${request.routeOptions.url ?? '(unknown)'}`,
        actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
        actorClientId: actor.clientId, actorRegion: actor.region, purpose: request.purpose,
        caseIds: JSON.stringify(caseIds), outcome,
      });
    },
    async ofRegion(region: string, caseIds: readonly string[]) {
      if (caseIds.length === 0) return new Map<string, string | null>();
      const { rows } = await db.$client.query<{ id: string; reference: string | null }>(
        `SELECT id, ${postgresDialect.pathText(postgresDialect.parse('snapshot'), REFERENCE_PATH)} AS reference
         FROM cases WHERE ($1 = '*' OR region = $1) AND id = ANY($2)`, [region, caseIds]);
      return new Map(rows.map((r) => [r.id, r.reference]));
    },
    async list(region: string, query: AccessQuery): Promise<AccessEntry[]> {
      const where: (SQL | undefined)[] = [];
      if (region !== '*') {
        where.push(or(eq(accessLog.actorRegion, region), sql`EXISTS (SELECT 1 FROM ${idsOf} j(id)
          JOIN cases c ON c.id = j.id WHERE c.region = ${region})`));
      }
      if (query.from) where.push(gte(accessLog.at, query.from));
      if (query.to) where.push(lt(accessLog.at, query.to));
      if (query.caseId) where.push(sql`${accessLog.caseIds}::jsonb ? ${query.caseId}`);
      if (query.caseIds) {
        where.push(sql`${accessLog.caseIds}::jsonb ?| ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(query.caseIds)}::jsonb))`);
      }
      if (query.actor) where.push(readerMatches(postgresDialect, accessLog, query.actor));
      if (query.action) where.push(eq(accessLog.action, query.action));
      if (query.outcome) where.push(eq(accessLog.outcome, query.outcome));
      if (query.beforeSeq !== undefined) where.push(lt(accessLog.seq, query.beforeSeq));
      return db.select().from(accessLog).where(and(...where)).orderBy(desc(accessLog.seq)).limit(query.limit);
    },
  };
}
