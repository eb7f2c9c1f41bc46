/**
 * Writing and verifying the audit trail. `append` runs inside the caller's transaction (the
 * engine's, or a token command's), so an entry exists exactly when its write does.
 *
 * SQLite has one writer at a time, so the log chain is extended inline. For a PostgreSQL
 * backend with several instances see docs/audit.md ("On PostgreSQL with several instances"):
 * the case chain stays inline under the case's row lock; the log chain moves to a sealer.
 */
import { createHash } from 'node:crypto';
import { asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { auditLog } from '../../../db/schema.ts';
import { insertSql } from './statements.ts';
import {
  chain,
  GENESIS,
  link,
  sha256,
  storedEntryHash,
  type AuditFields,
  type Broken,
} from '../../audit/audit-hash.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = Omit<AuditFields, 'seq' | 'caseSeq' | 'payloadHash'>;
/** The answer of `verify`, as GET /audit/verify shows it (audit-contract.ts). */
export type { VerifyResult };

export function auditTrail(db: Db) {
  // On every write: straight to better-sqlite3 (db/statements.ts), rows with the schema's keys.
  const lastOfLog = db.$client.prepare('SELECT "seq", "log_hash" AS "logHash" FROM "audit_log" ORDER BY "seq" DESC LIMIT 1');
  const lastOfCase = db.$client.prepare(`SELECT "case_seq" AS "caseSeq", "case_hash" AS "caseHash" FROM "audit_log"
    WHERE "case_id" = ? ORDER BY "case_seq" DESC LIMIT 1`);
  const insert = db.$client.prepare(insertSql(auditLog));
  const regionCount = db.$client.prepare(`SELECT count(*) AS n FROM audit_log a
    JOIN cases c ON c.id = a.case_id WHERE c.region = @region AND a.seq < @before`);
  const regionHeads = db.$client.prepare(`SELECT a.case_id AS caseId, a.case_hash AS caseHash
    FROM cases c JOIN audit_log a ON a.case_id = c.id
    WHERE c.region = @region AND a.case_seq = (SELECT max(case_seq) FROM audit_log l WHERE l.case_id = c.id AND l.seq < @before)
    ORDER BY c.seq`);
  const ofCase = db.select().from(auditLog).where(eq(auditLog.caseId, sql.placeholder('caseId')))
    .orderBy(asc(auditLog.caseSeq)).prepare();

  return {
    /** Appends one entry, chained to its case and to the log. Call inside a write transaction. */
    append(entry: NewAuditEntry): AuditEntry {
      const log = lastOfLog.get() as { seq: number; logHash: string } | undefined;
      const head = entry.caseId === null ? undefined
        : lastOfCase.get(entry.caseId) as { caseSeq: number; caseHash: string } | undefined;
      const row = chainedEntry(entry, log, head);
      insert.run(row);
      return row;
    },

    ofCase: (caseId: string): AuditEntry[] => ofCase.all({ caseId }),

    /**
     * What a regional reader is shown of a verification: the entries of its region's cases that
     * verified (those before the first broken entry) and a head over the last entry of each of
     * its cases, in case order. Never the national count or head.
     */
    regionView(region: string, result: VerifyResult): { checked: number; head: string } {
      const before = result.firstBroken?.seq ?? Number.MAX_SAFE_INTEGER;
      const checked = (regionCount.get({ region, before }) as { n: number }).n;
      const heads = regionHeads.all({ region, before }) as { caseId: string; caseHash: string }[];
      if (heads.length === 0) return { checked, head: GENESIS };
      const hash = createHash('sha256');
      for (const h of heads) hash.update(`${h.caseId} ${h.caseHash}\n`);
      return { checked, head: hash.digest('hex') };
    },

    /**
     * Walks the whole log in order and finds any changed, removed or inserted entry. The trail
     * that GET /cases/{id}/trail and the reports read (case_events) is checked against it too:
     * both are written in the same transactions, so they must pair up one to one, in order.
     */
    verify(): VerifyResult {
      return verifyFrom(freshVerification()).result;
    },

    /**
     * Verifies the entries after those `state` covers, continuing its chains, and returns the
     * state to continue from next time (null when the log is broken: start again from scratch).
     * The last entry `state` covers is checked first: it must still carry the log hash it had.
     */
    verifyFrom,
  };

  /**
   * `state` is used up: continue from the state returned. One read transaction: the log and the
   * trail are read as of one moment, while the service goes on writing (WAL).
   */
  function verifyFrom(state: VerifyState): { result: VerifyResult; state: VerifyState | null } {
    return db.$client.transaction(verifyWithin)(state);
  }

  function verifyWithin(state: VerifyState): { result: VerifyResult; state: VerifyState | null } {
    if (state.seq > 0) {
      const kept = db.$client.prepare('SELECT log_hash FROM audit_log WHERE seq = ?').pluck().get(state.seq);
      if (kept !== state.logHash) return brokenAt(state, { seq: state.seq, reason: 'the last verified entry changed' });
    }
    const events = inOrder(db, 'case_events', state.eventSeq);
    const run = verifyRows(state, inOrder(db, 'audit_log', state.seq), events);
    if (run.broken) return brokenAt(run.state, run.broken);
    return finishVerification(run.state, !events.next().done);
  }
}

/**
 * The core of a verification, for either store: checks `auditRows` (raw rows of audit_log in seq
 * order, after `state.seq`) against both chains, pairing each entry of a case with the next row
 * of `events` (raw case_events rows in seq order). Returns the state after the last good entry
 * and, if one is broken, where. A store reads its rows a page at a time and calls this per page.
 */
export function verifyRows(state: VerifyState, auditRows: Iterable<Record<string, unknown>>,
  events: Iterator<unknown>): { state: VerifyState; broken: Broken | null } {
  const { cases } = state;
  let previous = state.logHash;
  let expectedSeq = state.seq + 1;
  let checked = state.checked;
  let hashesPayloads = state.hashesPayloads;
  let eventSeq = state.eventSeq;
  const at = (): VerifyState => ({ seq: expectedSeq - 1, logHash: previous, eventSeq, hashesPayloads, cases, checked });
  for (const raw of auditRows) {
    const e = toEntry(raw);
    // Once entries hash their payload's hash, none may go back to the older form.
    const downgraded = hashesPayloads && e.payloadHash === null
      ? { seq: e.seq, reason: 'an entry of the older hash form after the newer' } : null;
    hashesPayloads ||= e.payloadHash !== null;
    let found = downgraded ?? check(e, expectedSeq, previous, cases);
    if (!found && e.caseId !== null) {
      const next = events.next();
      found = matchEvent(e, next);
      if (!next.done) eventSeq = (next.value as { seq: number }).seq;
    }
    if (found) return { state: at(), broken: found };
    previous = e.logHash;
    expectedSeq = e.seq + 1;
    checked += 1;
  }
  return { state: at(), broken: null };
}

/** The answer once every entry is checked: broken when the trail has an entry left over. */
export function finishVerification(state: VerifyState, eventsLeft: boolean): { result: VerifyResult; state: VerifyState | null } {
  if (eventsLeft) {
    return brokenAt(state, { seq: state.seq + 1, reason: 'the case trail has an entry the audit trail has not' });
  }
  return { result: { ok: true, checked: state.checked, head: state.logHash }, state };
}

export function brokenAt(state: VerifyState, firstBroken: Broken): { result: VerifyResult; state: null } {
  return { result: { ok: false, checked: state.checked, head: state.logHash, firstBroken }, state: null };
}

/**
 * An entry as stored: numbered after the log's last entry and its case's last entry, its payload
 * hashed, chained to both. For either store; the caller holds what keeps those heads still (the
 * write transaction on SQLite; the case's row lock and the audit lock on PostgreSQL).
 */
export function chainedEntry(entry: NewAuditEntry, log: { seq: number; logHash: string } | undefined,
  head: { caseSeq: number | null; caseHash: string | null } | undefined): AuditEntry {
  const fields: AuditFields = {
    ...entry, seq: (log?.seq ?? 0) + 1,
    caseSeq: entry.caseId === null ? null : (head?.caseSeq ?? 0) + 1,
    payloadHash: sha256(entry.payload),
  };
  return { ...fields, ...chain(fields, head?.caseHash ?? null, log?.logHash ?? GENESIS), erasedAt: null, entryHash: null } as AuditEntry;
}

/** Where a verification got to: enough to continue the chains from there. */
export interface VerifyState {
  /** The last entry verified (0 before any) and its log hash. */
  seq: number;
  logHash: string;
  /** The last case_events row paired with an entry. */
  eventSeq: number;
  hashesPayloads: boolean;
  /** Per case, its last entry's case sequence number and case hash. */
  cases: Map<string, { caseSeq: number; hash: string }>;
  checked: number;
}

export const freshVerification = (): VerifyState =>
  ({ seq: 0, logHash: GENESIS, eventSeq: 0, hashesPayloads: false, cases: new Map(), checked: 0 });

export type AuditTrail = ReturnType<typeof auditTrail>;

function check(
  e: AuditEntry, expectedSeq: number, previous: string,
  cases: Map<string, { caseSeq: number; hash: string }>,
): Broken | null {
  if (e.seq !== expectedSeq) return { seq: e.seq, reason: `entry ${expectedSeq} is missing` };
  const own = storedEntryHash(e);
  if ('broken' in own) return { seq: e.seq, reason: own.broken };
  const hash = own.hash;
  if (e.prevLogHash !== previous || e.logHash !== link(previous, hash)) {
    return { seq: e.seq, reason: 'does not match the log chain' };
  }
  if (e.caseId === null) return null;
  const last = cases.get(e.caseId) ?? { caseSeq: 0, hash: GENESIS };
  if (e.caseSeq !== last.caseSeq + 1 || e.prevCaseHash !== last.hash ||
    e.caseHash !== link(last.hash, hash)) {
    return { seq: e.seq, reason: 'does not match the chain of its case' };
  }
  cases.set(e.caseId, { caseSeq: e.caseSeq, hash: e.caseHash });
  return null;
}

/**
 * All rows of a table in seq order, read a page at a time: better-sqlite3 allows only one open
 * iterator per connection, and verification walks two tables side by side.
 */
function* inOrder(db: Db, table: 'audit_log' | 'case_events', from = 0,
  pageSize = 2_000): Generator<Record<string, unknown>> {
  const page = db.$client.prepare(`SELECT * FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`);
  let after = from;
  for (;;) {
    const rows = page.all(after, pageSize) as Record<string, unknown>[];
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]?.seq as number;
  }
}

/** The case_events row written with audit entry `e` must say the same. */
function matchEvent(e: AuditEntry, next: IteratorResult<unknown>): Broken | null {
  const row = next.done ? undefined : next.value as Record<string, unknown>;
  const same = row !== undefined && row.case_id === e.caseId && row.version === e.caseSeq &&
    row.type === e.eventType && row.at === e.at && row.state === e.toState &&
    row.payload === e.payload && row.actor_role === e.actorRole &&
    row.actor_organisation === e.actorOrganisation && row.actor_name === e.actorName &&
    row.actor_client_id === e.actorClientId;
  return same ? null : { seq: e.seq, reason: 'the case trail (case_events) differs from this audit entry' };
}

const COLUMNS = Object.entries(getTableColumns(auditLog));

/** A raw SQLite row (snake_case columns) as an entry. */
export function toEntry(raw: Record<string, unknown>): AuditEntry {
  return Object.fromEntries(COLUMNS.map(([key, column]) => [key, raw[column.name]])) as AuditEntry;
}
