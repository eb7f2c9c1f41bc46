/**
 * The services on PostgreSQL (DESIGN §5.5), behind the same interfaces as on SQLite
 * (src/services.ts): the engine (case-engine.ts), the case reads (case-reads.ts), the audit
 * (audit.ts), and here the access log, API clients, people and sessions, region settings, the
 * notification outbox (claimed with FOR UPDATE SKIP LOCKED, so instances never deliver the same
 * notification at once) and housekeeping.
 *
 * The signalering report runs PostgreSQL's dialect of the same statements (signalering.ts,
 * signalering-sql.ts); retention is retention.ts (the command line's).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { DateTime, Duration } from 'luxon';
import type { PgDb } from './client.ts';
import { accessLog, apiClients, outbox, regions, sessions, signInLinks, users } from '../../../db/pg/schema.ts';
import { caseQueries } from '../../cases/case-queries.ts';
import type { Clock } from '../../clock.ts';
import { webhookDeliverer } from '../../notifications/webhook-deliverer.ts';
import { signaleringService } from '../../reports/signalering.ts';
import { pgSignaleringReader } from './signalering.ts';
import type { AccessLog, Outbox, People, Services, Sessions } from '../sqlite/store.ts';
import { appendAudit, pgAuditReader, pgVerifier, type PgTx } from './audit.ts';
import { pgCaseEngine } from './engine.ts';
import { pgCaseReads } from './reads.ts';
import { IDEMPOTENCY_WINDOW_MS } from '../../cases/idempotency.ts';
import { DEFAULT_HOUSEKEEPING, type Pruned } from '../../housekeeping.ts';
import type { User } from '../rows.ts';
import type { OutboxEntry } from '../rows.ts';
import type { AccessEntry } from '../rows.ts';
import { CLI_OPERATOR, hashToken, TOKEN_PREFIX, type Actor, type NewClient, type Operator } from '../../auth/actors.ts';
import { DuplicateEmail, normaliseEmail, SIGN_IN_LINK_MINUTES, type NewUser, type Session } from '../../auth/people.ts';
import { regionAudit, regionValues, toSettings, type RegionUpdate } from '../../regions/region-settings.ts';
import type { AccessAction, AccessQuery } from '../../audit/access-log.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const secret = (): string => randomBytes(32).toString('base64url');

/** An administrative change in the audit trail (as auditAdministration on SQLite). */
function administration(tx: PgTx, operator: Operator, action: 'token_created' | 'token_revoked' | 'user_created' |
  'user_disabled', at: string, details: Record<string, unknown>): Promise<void> {
  return appendAudit(tx, [{
    at, action, caseId: null, actorRole: operator.role, actorOrganisation: operator.organisation,
    actorName: operator.name, actorClientId: operator.clientId, onBehalfOf: null, eventType: null,
    fromState: null, toState: null, machineVersion: null, payload: JSON.stringify(details),
  }]);
}

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
      if (caseIds.length === 0) return new Set<string>();
      const { rows } = await db.$client.query('SELECT id FROM cases WHERE region = $1 AND id = ANY($2)', [region, caseIds]);
      return new Set(rows.map((r) => r.id as string));
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
      if (query.beforeSeq !== undefined) where.push(lt(accessLog.seq, query.beforeSeq));
      return db.select().from(accessLog).where(and(...where)).orderBy(desc(accessLog.seq)).limit(query.limit);
    },
  };
}

export function pgClients(db: PgDb) {
  return {
    async lookup(token: string): Promise<Actor | undefined> {
      const [found] = await db.select({
        clientId: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
        region: apiClients.region, name: apiClients.name,
      }).from(apiClients).where(and(eq(apiClients.tokenHash, hashToken(token)), isNull(apiClients.revokedAt)));
      return found;
    },
    list: async () => db.select({
      id: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
      region: apiClients.region, name: apiClients.name, createdAt: apiClients.createdAt, revokedAt: apiClients.revokedAt,
    }).from(apiClients),
    async create(client: NewClient, now: Date, operator: Operator = CLI_OPERATOR): Promise<{ token: string; actor: Actor }> {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const id = randomUUID();
      const at = now.toISOString();
      await db.transaction(async (tx) => {
        await tx.insert(apiClients).values({ id, tokenHash: hashToken(token), ...client, createdAt: at });
        await administration(tx, operator, 'token_created', at, { clientId: id, ...client });
      });
      return { token, actor: { clientId: id, ...client } };
    },
    async revoke(id: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<boolean> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const done = await tx.update(apiClients).set({ revokedAt: at })
          .where(and(eq(apiClients.id, id), isNull(apiClients.revokedAt))).returning({ id: apiClients.id });
        if (done.length !== 1) return false;
        await administration(tx, operator, 'token_revoked', at, { clientId: id });
        return true;
      });
    },
  };
}

export function pgOutbox(db: PgDb): Outbox {
  return {
    /** As on SQLite, and claimed with SKIP LOCKED: two instances never lease the same row. */
    async claimDue(now: string, until: string, limit: number, busyRegions: readonly string[] = []): Promise<OutboxEntry[]> {
      return db.transaction(async (tx) => {
        const rows = await tx.select().from(outbox).where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now),
          busyRegions.length ? notInArray(outbox.region, [...busyRegions]) : undefined))
          .orderBy(asc(outbox.nextAttemptAt), asc(outbox.seq)).limit(limit).for('update', { skipLocked: true });
        if (rows.length) await tx.update(outbox).set({ nextAttemptAt: until }).where(inArray(outbox.seq, rows.map((r) => r.seq)));
        return rows;
      });
    },
    async record(seq, change) {
      await db.update(outbox).set(change).where(eq(outbox.seq, seq));
    },
    async skip(seqs) {
      if (seqs.length > 0) await db.update(outbox).set({ status: 'skipped' }).where(inArray(outbox.seq, [...seqs]));
    },
    failed: async (region, limit) => db.select().from(outbox)
      .where(region === '*' ? eq(outbox.status, 'failed') : and(eq(outbox.status, 'failed'), eq(outbox.region, region)))
      .orderBy(desc(outbox.seq)).limit(limit),
    async retryFailed(id, now) {
      const failed = eq(outbox.status, 'failed');
      const done = await db.update(outbox).set({ status: 'pending', attempts: 0, nextAttemptAt: now })
        .where(id === undefined ? failed : and(failed, eq(outbox.id, id))).returning({ seq: outbox.seq });
      return done.length;
    },
    byId: async (id) => (await db.select().from(outbox).where(eq(outbox.id, id)))[0],
  };
}

export function pgPeople(db: PgDb): People {
  const find = async (id: string): Promise<User | undefined> => (await db.select().from(users).where(eq(users.id, id)))[0];
  return {
    async create(user: NewUser, now: Date, operator: Operator = CLI_OPERATOR): Promise<User> {
      const row: User = { id: randomUUID(), ...user, email: normaliseEmail(user.email), createdAt: now.toISOString(), disabledAt: null };
      await db.transaction(async (tx) => {
        const inserted = await tx.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning({ id: users.id });
        if (inserted.length === 0) throw new DuplicateEmail();
        await administration(tx, operator, 'user_created', row.createdAt,
          { userId: row.id, role: row.role, organisation: row.organisation, region: row.region });
      });
      return row;
    },
    async disable(id: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<boolean> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const done = await tx.update(users).set({ disabledAt: at }).where(and(eq(users.id, id), isNull(users.disabledAt)))
          .returning({ id: users.id });
        if (done.length !== 1) return false;
        await tx.delete(sessions).where(eq(sessions.userId, id));
        await administration(tx, operator, 'user_disabled', at, { userId: id });
        return true;
      });
    },
    list: async (region?: string) => {
      const query = db.select().from(users);
      return (region === undefined ? query : query.where(eq(users.region, region))).orderBy(users.name);
    },
    byEmail: async (email: string) =>
      (await db.select().from(users).where(and(eq(users.email, normaliseEmail(email)), isNull(users.disabledAt))))[0],
    async signInLink(userId: string, now: Date) {
      const user = await find(userId);
      if (!user || user.disabledAt !== null) return undefined;
      const token = secret();
      await db.insert(signInLinks).values({ tokenHash: hashToken(token), userId,
        expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000).toISOString() });
      return token;
    },
    async redeem(token: string, now: Date) {
      const at = now.toISOString();
      const [link] = await db.update(signInLinks).set({ usedAt: at })
        .where(and(eq(signInLinks.tokenHash, hashToken(token)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, at)))
        .returning({ userId: signInLinks.userId });
      const user = link && await find(link.userId);
      return user && user.disabledAt === null ? user : undefined;
    },
    async linkUsable(token: string, now: Date) {
      const [link] = await db.select().from(signInLinks).where(eq(signInLinks.tokenHash, hashToken(token)));
      return link !== undefined && link.usedAt === null && link.expiresAt > now.toISOString();
    },
  };
}

export function pgSessions(db: PgDb, idleMinutes: number): Sessions {
  const idleMs = idleMinutes * 60_000;
  return {
    async create(user: User, now: Date) {
      const id = secret();
      const at = now.toISOString();
      await db.insert(sessions).values({ idHash: hashToken(id), userId: user.id, csrf: secret(), createdAt: at, lastSeenAt: at });
      return id;
    },
    async get(id: string, now: Date): Promise<Session | undefined> {
      const idHash = hashToken(id);
      const [found] = await db.select({ session: sessions, user: users }).from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.idHash, idHash));
      if (!found) return undefined;
      const lastSeen = Date.parse(found.session.lastSeenAt);
      if (now.getTime() - lastSeen > idleMs || found.user.disabledAt !== null) {
        await db.delete(sessions).where(eq(sessions.idHash, idHash));
        return undefined;
      }
      // Stored at every request, so the idle clock is exact (src/auth/users.ts).
      if (now.getTime() > lastSeen) {
        await db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.idHash, idHash));
      }
      return { user: found.user, csrf: found.session.csrf, purpose: found.session.purpose };
    },
    async setPurpose(id: string, purpose: string) {
      await db.update(sessions).set({ purpose }).where(eq(sessions.idHash, hashToken(id)));
    },
    async end(id: string) {
      await db.delete(sessions).where(eq(sessions.idHash, hashToken(id)));
    },
    async prune(now: Date) {
      const before = new Date(now.getTime() - idleMs).toISOString();
      return (await db.delete(sessions).where(lt(sessions.lastSeenAt, before)).returning({ id: sessions.idHash })).length;
    },
  };
}

/** Housekeeping as on SQLite (src/housekeeping.ts): settled timers, sent notifications, old keys, sessions, links. */
export function pgHousekeeping(db: PgDb, clock: Clock) {
  const q = async (text: string, values: unknown[]): Promise<number> => (await db.$client.query(text, values)).rowCount ?? 0;
  return {
    async run(): Promise<Pruned> {
      const now = DateTime.fromJSDate(clock.now(), { zone: 'utc' });
      const pruned: Pruned = { timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 };
      const { rows } = await db.$client.query(`SELECT id, housekeeping FROM regions
        UNION SELECT DISTINCT region, NULL FROM cases WHERE region NOT IN (SELECT id FROM regions)`);
      for (const r of rows as { id: string; housekeeping: string | null }[]) {
        const before = now.minus(Duration.fromISO(r.housekeeping ?? DEFAULT_HOUSEKEEPING)).toISO();
        pruned.timers += await q(`DELETE FROM timers t USING cases c WHERE c.id = t.case_id AND c.region = $1
          AND t.status <> 'pending' AND t.settled_at < $2`, [r.id, before]);
        pruned.notifications += await q(`DELETE FROM outbox WHERE region = $1 AND status IN ('delivered', 'skipped')
          AND coalesce(delivered_at, created_at) < $2`, [r.id, before]);
      }
      pruned.idempotencyKeys = await q('DELETE FROM idempotency_keys WHERE created_at < $1', [now.minus(IDEMPOTENCY_WINDOW_MS).toISO()]);
      pruned.sessions = await q('DELETE FROM sessions WHERE last_seen_at < $1', [now.minus(DAY_MS).toISO()]);
      pruned.signInLinks = await q('DELETE FROM sign_in_links WHERE expires_at < $1', [now.toISO()]);
      return pruned;
    },
  };
}

/** Region settings on PostgreSQL: read on every write, changed by the CLI (audited, as on SQLite). */
export function pgRegions(db: PgDb) {
  const get = async (id: string) => toSettings((await db.select().from(regions).where(eq(regions.id, id)))[0]);
  return {
    get,
    async set(id: string, update: RegionUpdate, now: Date, operator: Operator = CLI_OPERATOR) {
      const values = regionValues(update, now);
      await db.transaction(async (tx) => {
        await tx.insert(regions).values({ id, ...values }).onConflictDoUpdate({ target: regions.id, set: values });
        await appendAudit(tx, [regionAudit(id, update, values.updatedAt, operator)]);
      });
      return get(id);
    },
  };
}

export interface PgServiceOptions {
  sessionIdleMinutes?: number;
  logger?: FastifyBaseLogger;
}

/** Every service on one PostgreSQL database; `close` ends its pool. */
export function postgresServices(db: PgDb, clock: Clock, options: PgServiceOptions = {}): Services {
  const box = pgOutbox(db);
  const regionsOf = pgRegions(db);
  const verifier = pgVerifier(db);
  const clients = pgClients(db);
  return {
    store: 'postgres',
    engine: pgCaseEngine(db, clock),
    queries: caseQueries(pgCaseReads(db), clock),
    access: pgAccessLog(db, clock),
    audit: pgAuditReader(db),
    verifier,
    clients: { lookup: clients.lookup, list: clients.list },
    people: pgPeople(db),
    sessions: pgSessions(db, options.sessionIdleMinutes ?? 30),
    regions: { get: regionsOf.get },
    outbox: box,
    signalering: signaleringService(pgSignaleringReader(db), clock),
    deliverer: webhookDeliverer({ box, regions: regionsOf }, clock, options.logger),
    housekeeping: pgHousekeeping(db, clock),
    async ping() {
      return (await db.$client.query('SELECT 1 AS ok')).rows[0]?.ok === 1;
    },
    commits: null,
    async close() {
      await verifier.close();
      await db.$client.end();
    },
  };
}
