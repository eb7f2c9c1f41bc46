/**
 * The one place a case changes on the PostgreSQL store (DESIGN §5.5): the same decisions as on
 * SQLite (src/cases/case-decisions.ts) and the same writes (entryWrites), asynchronously, one
 * transaction per request, for any number of instances on one database:
 *
 * - the case's row is locked (`FOR UPDATE`) before anything is decided, so events for one case are
 *   applied one after the other across instances and an If-Match has one winner; the version check
 *   in the UPDATE stays as a second guard;
 * - a due deadline is fired by whichever instance locks its case first (`FOR UPDATE SKIP LOCKED`:
 *   an instance never waits for a case another is working on, it takes the next), and settled in
 *   that transaction, so it fires once; an instance killed mid-way has its transaction rolled back
 *   by the server, which leaves the timer pending for the next round;
 * - the audit entries are written last, under a transaction-scoped advisory lock (the audit lock)
 *   held to COMMIT: the per-case chain continues under the case's row lock, the log chain under
 *   the audit lock, one transaction at a time for those few statements. Everything before them
 *   runs in parallel across instances. (The trail rows are written before the lock, so their seq
 *   need not follow the audit's order: on PostgreSQL verification pairs an entry with the trail
 *   row of its case and version, src/store/postgres/verifier.ts.)
 *
 * Locks are always taken in the same order, case row then its timers then the audit lock, so two
 * instances cannot deadlock each other.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, getTableColumns, lte, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { PgDb } from './client.ts';
import * as schema from '../../../db/pg/schema.ts';
import { caseEvents, cases, idempotencyKeys, regions, timers, users } from '../../../db/pg/schema.ts';
import type { TimerChange } from '../../../machines/referral.ts';
import { appendAudit, type CaseHead } from './audit.ts';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { UUID } from '../../validation.ts';
import { checkEvent, decideEvent, decideSubmission, decideTimer, offerResolution } from '../../cases/case-decisions.ts';
import { offerIdsOf } from '../../../machines/referral.supply.ts';
import { resolveOffers } from './offers.ts';
import { caseView, type CaseView } from '../../cases/case-view.ts';
import { viewWithNotes } from '../../cases/case-queries.ts';
import { selectList } from '../sql/columns.ts';
import { execute, insertOf, query, selectFrom, statement, type Conn } from './statements.ts';
import { IDEMPOTENCY_WINDOW_MS, requestHash, type KeyedRequest } from '../../cases/idempotency.ts';
import type { CaseEventRow, CaseRow, ListedNote, NewCaseRow, TimerRow, User } from '../rows.ts';
import { regisseurOf, regisseurWanted } from '../../cases/regisseur.ts';
import type { RegionRow } from '../rows.ts';
import type { NewAuditEntry } from '../../audit/audit-chain.ts';
import type { Actor } from '../../auth/actors.ts';
import { toSettings, type RegionSettings } from '../../regions/region-settings.ts';
import type { Applied } from '../../cases/case-writes.ts';
import { advancedRow, entryWrites, NOTES_IN_VIEW, notification, persistedColumns, SCHEDULER, type Entry, type EntryWrites, type NotificationRow } from '../../cases/case-writes.ts';
import type { EventRequest, TimerOutcome } from '../port.ts';
import { pgNoticesOfStep } from './notices.ts';

/** drizzle over a transaction's connection, for the statements off the hot path (idempotency keys, submissions, timers). */
type Tx = NodePgDatabase<typeof schema>;

/** The columns of a trail row the engine writes (seq is the database's). */
const EVENT_KEYS = ['caseId', 'version', 'type', 'at', 'actorRole', 'actorOrganisation', 'actorName', 'actorClientId',
  'payload', 'state'] as const satisfies readonly (keyof CaseEventRow)[];

/** The statements of every event, named and prepared once per connection (statements.ts). */
const SQL = {
  // An event's first round trip: the case locked, with its deadlines due by $2 (oldest first) and
  // its region's settings, which it would otherwise take two more to read. The sub-selects read as
  // of the statement's start: when the lock had to wait for another transaction on the case, the
  // locked row is newer than they are ("seenVersion" tells), and they are read again.
  dueOfCase: statement('due_of_case', `SELECT "seq" FROM "timers"
    WHERE "case_id" = $1 AND "status" = 'pending' AND "due_at" <= $2 ORDER BY "due_at"`),
  lockCaseForEvent: statement('lock_case_for_event', `SELECT ${selectList(cases)},
    ARRAY(SELECT t."seq" FROM "timers" t WHERE t."case_id" = "cases"."id" AND t."status" = 'pending'
      AND t."due_at" <= $2 ORDER BY t."due_at") AS "dueTimers",
    (SELECT json_build_object(${Object.entries(getTableColumns(regions))
    .map(([key, column]) => `'${key}', r."${column.name}"`).join(', ')}) FROM "regions" r
      WHERE r."id" = "cases"."region") AS "regionRow",
    (SELECT c."version" FROM "cases" c WHERE c."id" = "cases"."id") AS "seenVersion",
    (SELECT json_build_object('caseSeq', a."case_seq", 'caseHash', a."case_hash") FROM "audit_log" a
      WHERE a."case_id" = "cases"."id" ORDER BY a."case_seq" DESC LIMIT 1) AS "auditHead"
    FROM "cases" WHERE "id" = $1 FOR UPDATE OF "cases"`),
  region: statement('region', selectFrom(regions, 'WHERE "id" = $1')),
  insertEvent: insertOf<CaseEventRow>('insert_event', caseEvents, EVENT_KEYS),
  // An applied step in one round trip: the case advanced (only if still at $8; its regisseur $20),
  // its trail row written, and the case's latest notes read for the view (as `notes` below). The
  // rows: the new trail row (`written`; none when the case was not at $8), then up to $19 notes as
  // of the statement's start, which does not show the new row: a new note is taken from `written`.
  advanceWithEvent: statement('advance_with_event', `WITH "advanced" AS (UPDATE "cases" SET "state" = $1, "version" = $2,
    "snapshot" = $3, "facts" = $4, "overdue" = $5, "updated_at" = $6, "regisseur" = $20 WHERE "id" = $7 AND "version" = $8
    RETURNING 1),
    "inserted" AS (INSERT INTO "case_events" (${EVENT_KEYS.map((key) => `"${getTableColumns(caseEvents)[key].name}"`).join(', ')})
    SELECT ${EVENT_KEYS.map((key, i) => `$${i + 9}${key === 'version' ? '::integer' : ''}`).join(', ')} FROM "advanced"
    RETURNING "version", "type", "at", "payload", "actor_name", "actor_organisation")
    SELECT true AS "written", "type" = 'ADD_NOTE' AS "isNote", "version", "at", CASE WHEN "type" = 'ADD_NOTE'
      THEN "payload"::jsonb ->> 'text' END AS "text", "actor_name" AS "name", "actor_organisation" AS "organisation" FROM "inserted"
    UNION ALL (SELECT false, true, "version", "at", "payload"::jsonb ->> 'text', "actor_name", "actor_organisation"
      FROM "case_events" WHERE "case_id" = $7 AND "type" = 'ADD_NOTE' ORDER BY "version" DESC LIMIT $19)`),
  cancelTimer: statement('cancel_timer', `UPDATE "timers" SET "status" = 'cancelled', "settled_at" = $1
    WHERE "case_id" = $2 AND "name" = $3 AND "status" = 'pending'`),
  armTimer: statement('arm_timer', `INSERT INTO "timers" ("case_id", "name", "due_at", "event", "status", "armed_at")
    VALUES ($1, $2, $3, $4, 'pending', $5)`),
  lockTimer: statement('lock_timer', selectFrom(timers, 'WHERE "seq" = $1 FOR UPDATE')),
  settleTimer: statement('settle_timer', 'UPDATE "timers" SET "status" = $1, "settled_at" = $2 WHERE "seq" = $3'),
  notify: statement('notify', `INSERT INTO "outbox"
    ("id", "case_id", "region", "kind", "payload", "created_at", "status", "next_attempt_at")
    VALUES ($1, $2, $3, $4, $5, $6, 'pending', $6)`),
  // The view's notes, as pgCaseReads reads them (reads.ts), inside the writing transaction.
  notes: statement('notes_of_case', `SELECT "version", "at", "payload"::jsonb ->> 'text' AS "text",
    "actor_name" AS "name", "actor_organisation" AS "organisation" FROM "case_events"
    WHERE "case_id" = $1 AND "type" = 'ADD_NOTE' ORDER BY "version" DESC LIMIT $2`),
  user: statement('user_by_id', selectFrom(users, 'WHERE "id" = $1')),
  noteCount: statement('note_count', `SELECT count(*)::int AS "n" FROM "case_events"
    WHERE "case_id" = $1 AND "type" = 'ADD_NOTE'`),
};

/** What one transaction has decided to write, in order: the audit entries go last. */
class Writes {
  readonly audit: NewAuditEntry[] = [];
  /** Audit heads of cases read with their lock (lockCaseForEvent), so appendAudit need not read them. */
  readonly heads = new Map<string, CaseHead>();
  private orm: Tx | undefined;
  constructor(readonly conn: pg.PoolClient) {}

  /** drizzle on this transaction's connection, built on first use (an event without an Idempotency-Key never needs it). */
  get tx(): Tx {
    return (this.orm ??= drizzle({ client: this.conn, schema }));
  }

  /** `written`: the trail row is in already (advanceWithEvent). */
  async entry(w: EntryWrites, written = false): Promise<void> {
    if (!written) await execute(this.conn, SQL.insertEvent, SQL.insertEvent.values(w.event));
    for (const change of w.timers) await this.timer(w.event.caseId, w.event.at, change);
    if (w.notification) await this.notify(w.notification);
    this.audit.push(w.audit);
  }

  private async timer(caseId: string, at: string, change: TimerChange): Promise<void> {
    if (change.kind === 'cancel') await execute(this.conn, SQL.cancelTimer, [at, caseId, change.name]);
    else await execute(this.conn, SQL.armTimer, [caseId, change.name, change.dueAt, JSON.stringify(change.event), at]);
  }

  async notify(row: NotificationRow): Promise<void> {
    await execute(this.conn, SQL.notify, [row.id, row.caseId, row.region, row.kind, row.payload, row.createdAt]);
  }

  /** The audit entries, chained, under the audit lock, as the last statements before COMMIT. */
  seal(): Promise<void> {
    return appendAudit(this.conn, this.audit, this.heads);
  }
}

interface NoteRow { version: number; at: string; text: string; name: string; organisation: string | null }
const listed = ({ version, at, text, name, organisation }: NoteRow): ListedNote =>
  ({ type: 'ADD_NOTE', version, at, text, by: { name, organisation } });

/**
 * The case's latest notes and their count, read in the transaction that wrote them. `latest`: the
 * notes of `caseId` newest first as advanceWithEvent read them with the last write (up to
 * NOTES_IN_VIEW), not read again.
 */
const notesIn = (tx: pg.ClientBase, latest?: { caseId: string; notes: ListedNote[] }) => ({
  notes: async (caseId: string, limit: number) =>
    (latest?.caseId === caseId && limit <= NOTES_IN_VIEW ? latest.notes.slice(0, limit)
      : (await query<NoteRow>(tx, SQL.notes, [caseId, limit])).map(listed)),
  noteCount: async (caseId: string) => (await query<{ n: number }>(tx, SQL.noteCount, [caseId]))[0]!.n,
});

/** A person by id, in the transaction (an id that is not a UUID names nobody, and PostgreSQL refuses a NUL byte). */
const userIn = async (tx: Conn, id: string): Promise<User | undefined> =>
  (UUID.test(id) ? (await query<User>(tx, SQL.user, [id]))[0] : undefined);

/** PostgreSQL error codes a transaction is tried again after: serialization, deadlock, a raced unique key. */
const RETRIED = new Set(['40001', '40P01', '23505']);
const pgCode = (error: unknown): string | undefined => {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
};

export function pgCaseEngine(db: PgDb, clock: Clock) {
  /** One transaction; tried again (up to 5 times) when the database says another won a race. */
  async function inTransaction<T>(fn: (w: Writes) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // BEGIN and COMMIT sent on a pool connection as they are: drizzle's transaction built a
      // session, a transaction object and both statements through its query builder every time.
      const conn = await db.$client.connect();
      let broken: Error | undefined;
      try {
        await conn.query('BEGIN');
        try {
          const w = new Writes(conn);
          const result = await fn(w);
          await w.seal();
          await conn.query('COMMIT');
          return result;
        } catch (error) {
          // A connection that cannot even roll back is dropped from the pool, not reused.
          await conn.query('ROLLBACK').catch((e: unknown) => { broken = e instanceof Error ? e : new Error(String(e)); });
          throw error;
        }
      } catch (error) {
        if (attempt >= 5 || !RETRIED.has(pgCode(error) ?? '')) throw error;
      } finally {
        conn.release(broken);
      }
    }
  }

  async function settingsOf(tx: pg.ClientBase, region: string): Promise<RegionSettings> {
    return toSettings((await query<RegionRow>(tx, SQL.region, [region]))[0]);
  }

  /** Stores an applied step on version + 1, only if the case is still at `row.version`. */
  async function advance(w: Writes, row: CaseRow, result: Applied, entry: Entry): Promise<CaseRow & { notes: ListedNote[] }> {
    const next = advancedRow(row, result, entry.at);
    const writes = entryWrites(row, next.version, row.state, result.state, entry, result.timers);
    const rows = await query<NoteRow & { written: boolean; isNote: boolean }>(w.conn, SQL.advanceWithEvent, [next.state,
      next.version, next.snapshot, next.facts, next.overdue, next.updatedAt, row.id, row.version,
      ...SQL.insertEvent.values(writes.event), NOTES_IN_VIEW, next.regisseur]);
    if (!rows.some((r) => r.written)) throw new AppError('VERSION_MISMATCH', 'the case changed while this event was applied');
    await w.entry(writes, true);
    await pgNoticesOfStep(w.conn, row, entry, result.persisted, entry.at);
    // Newest first: the new row (when a note) and the ones read, which are all older.
    const notes = rows.filter((r) => r.isNote).sort((x, y) => y.version - x.version).slice(0, NOTES_IN_VIEW).map(listed);
    return { ...next, notes };
  }

  /** A due timer of a locked case: fired or stale, settled in the same transaction. */
  async function fire(w: Writes, row: CaseRow, seq: number, at: string): Promise<{ outcome: TimerOutcome; row: CaseRow }> {
    const [timer] = await query<TimerRow>(w.conn, SQL.lockTimer, [seq]);
    if (!timer || timer.status !== 'pending') return { outcome: 'gone', row };
    const decided = decideTimer(timer, row, at, await settingsOf(w.conn, row.region), SCHEDULER);
    const settle = (status: 'fired' | 'cancelled') => execute(w.conn, SQL.settleTimer, [status, at, seq]);
    if (decided.outcome === 'stale') {
      await settle('cancelled');
      return { outcome: 'stale', row };
    }
    await settle('fired');
    const { notes: _, ...next } = await advance(w, row, decided.result, decided.entry);
    await w.notify(notification(row, 'deadline_passed', at, decided.notice));
    return { outcome: 'fired', row: next };
  }

  /** Idempotency (§5.6) inside the write's transaction; a raced first use is tried again and then answered. */
  async function once(w: Writes, request: KeyedRequest | undefined, now: string, status: number,
    write: () => Promise<CaseView>): Promise<CaseView> {
    if (!request) return write();
    const { tx } = w;
    const hash = requestHash(request.target, request.body);
    const since = new Date(Date.parse(now) - IDEMPOTENCY_WINDOW_MS).toISOString();
    const [seen] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.clientId, request.clientId),
      eq(idempotencyKeys.key, request.key))).for('update');
    if (seen && seen.createdAt >= since) {
      if (seen.requestHash !== hash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another request in the last 24 hours');
      }
      return JSON.parse(seen.response) as CaseView;
    }
    const view = await write();
    const row = { clientId: request.clientId, key: request.key, requestHash: hash, caseId: view.id, status,
      response: JSON.stringify(view), createdAt: now };
    const saved = await tx.insert(idempotencyKeys).values(row).onConflictDoUpdate({
      target: [idempotencyKeys.clientId, idempotencyKeys.key],
      set: { requestHash: row.requestHash, caseId: row.caseId, status, response: row.response, createdAt: now },
      // Only over a key older than the window.
      setWhere: sql`${idempotencyKeys.createdAt} < ${since}`,
    }).returning({ key: idempotencyKeys.key });
    // Another request with this key committed first: this one rolls back and, tried again, gets its answer.
    if (saved.length === 0) throw Object.assign(new Error('idempotency key raced'), { code: '23505' });
    return view;
  }

  const keyed = (actor: Actor, key: string | undefined, target: string, body: unknown): KeyedRequest | undefined =>
    (key === undefined ? undefined : { clientId: actor.clientId, key, target, body });

  /**
   * `busy`: another transaction holds the timer's case (the timer is still pending); the port's
   * `fireTimer` answers that as `gone`, as before, but `fireDueTimers` must not count it settled.
   */
  async function fireOne(seq: number): Promise<TimerOutcome | 'busy'> {
    return inTransaction(async (w) => {
      const [timer] = await w.tx.select({ caseId: timers.caseId }).from(timers).where(eq(timers.seq, seq));
      if (!timer) return 'gone';
      // Another instance working on this case will catch the deadline up itself, or the next round will.
      // (timers.case_id references cases: with no row, the case is locked, not missing.)
      const [row] = await w.tx.select().from(cases).where(eq(cases.id, timer.caseId)).for('update', { skipLocked: true });
      if (!row) return 'busy';
      return (await fire(w, row, seq, clock.now().toISOString())).outcome;
    });
  }

  return {
    async submit(actor: Actor, body: unknown, idempotencyKey?: string): Promise<CaseView> {
      return inTransaction(async (w) => {
        const at = clock.now().toISOString();
        return once(w, keyed(actor, idempotencyKey, 'POST /cases', body), at, 201, async () => {
          const decided = decideSubmission(actor, body, at, await settingsOf(w.conn, actor.region), randomUUID());
          const stored: NewCaseRow = { ...decided.row, ...persistedColumns(decided.persisted) };
          await w.tx.insert(cases).values(stored);
          await w.entry(entryWrites(decided.row, 1, null, decided.row.state, decided.entry, decided.timers));
          return caseView(stored, decided.persisted, actor.role, at, 0);
        });
      });
    },

    async applyEvent(actor: Actor, request: EventRequest): Promise<CaseView> {
      return inTransaction(async (w) => {
        const at = clock.now().toISOString();
        return once(w, keyed(actor, request.idempotencyKey, `POST /cases/${request.caseId}/events`, request.body),
          at, 200, async () => {
            // An id that is not one we give out names no case (and PostgreSQL refuses text with a NUL byte).
            const [locked] = UUID.test(request.caseId)
              ? await query<CaseRow & { dueTimers: number[]; regionRow: RegionRow | null; seenVersion: number;
                auditHead: CaseHead | null }>(w.conn, SQL.lockCaseForEvent, [request.caseId, at])
              : [];
            const { dueTimers = [], regionRow = null, seenVersion, auditHead, ...found } = locked ?? {};
            const checked = checkEvent(actor, locked ? found as CaseRow : undefined, request.body, request.ifMatch);
            let { row } = checked;
            // The sub-selects saw the case as it was when the lock was taken: nobody changed it meanwhile.
            const current = seenVersion === row.version;
            // The case's audit chain grows only under its row lock: its head as read is the head.
            if (current) w.heads.set(row.id, auditHead ?? undefined);
            const due = current ? dueTimers : (await query<{ seq: number }>(w.conn, SQL.dueOfCase, [row.id, at])).map((t) => t.seq);
            for (const seq of due) row = (await fire(w, row, seq, at)).row;
            const settings = current && due.length === 0 ? toSettings(regionRow ?? undefined) : await settingsOf(w.conn, row.region);
            const ids = offerIdsOf(checked.event);
            const offers = ids.length === 0 ? undefined : offerResolution(ids, await resolveOffers(w.tx, row.region, ids));
            // §6.3: the person an event would make regisseur, looked up here; the decision is the same on either store.
            const wanted = regisseurWanted(actor, checked.event, row.machineVersion);
            const person = (wanted && await userIn(w.conn, wanted.userId)) || undefined;
            const { result, entry } = decideEvent(actor, checked.type, checked.event, row, at, settings, randomUUID, { offers, person });
            const { notes, ...next } = await advance(w, row, result, entry);
            const regisseur = next.regisseur === null ? null
              : regisseurOf(next.regisseur === person?.id ? person : await userIn(w.conn, next.regisseur), next.region);
            // The view with the latest notes, read in the transaction that wrote it.
            return viewWithNotes(notesIn(w.conn, { caseId: next.id, notes }), next, result.persisted, actor, at, regisseur);
          });
      });
    },

    fireTimer: async (seq: number): Promise<TimerOutcome> => {
      const outcome = await fireOne(seq);
      return outcome === 'busy' ? 'gone' : outcome;
    },

    /**
     * Settles up to `limit` timers due by now, each in its own transaction. Several instances may
     * run this at once: each timer fires once. A timer that fails is rolled back, reported to
     * `onError` and left pending; the others still fire.
     */
    async fireDueTimers(limit = 500, onError?: (seq: number, error: unknown) => void): Promise<{ settled: number; fired: number }> {
      const due = await db.select({ seq: timers.seq }).from(timers)
        .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, clock.now().toISOString())))
        .orderBy(asc(timers.dueAt)).limit(limit);
      let settled = 0;
      let fired = 0;
      for (const { seq } of due) {
        try {
          const outcome = await fireOne(seq);
          if (outcome === 'fired') fired += 1;
          // No longer pending: fired, stale, or gone (settled meanwhile, e.g. its case erased, port.ts).
          if (outcome !== 'busy') settled += 1;
        } catch (error) {
          onError?.(seq, error);
        }
      }
      return { settled, fired };
    },
  };
}

export type PgCaseEngine = ReturnType<typeof pgCaseEngine>;
