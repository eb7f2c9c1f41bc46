/**
 * The audit trail on SQLite: writing and verifying (the chains: src/audit/audit-chain.ts).
 * `append` runs inside the caller's transaction (the engine's, or a token command's), so an entry
 * exists exactly when its write does. SQLite has one writer at a time, so the log chain is
 * extended inline.
 */
import { createHash } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from '../../../db/schema.ts';
import type { Db } from './client.ts';
import { openSqlite } from './connection.ts';
import { auditLog } from '../../../db/schema.ts';
import { insertSql } from '../sql/columns.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import { GENESIS } from '../../audit/audit-hash.ts';
import {
  brokenAt, chainedEntry, finishVerification, freshVerification, verifyRows, type AuditEntry, type NewAuditEntry,
  type VerifyState,
} from '../../audit/audit-chain.ts';

export function auditTrail(db: Db) {
  // On every write: straight to better-sqlite3 (sql/columns.ts), rows with the schema's keys.
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

export type AuditTrail = ReturnType<typeof auditTrail>;

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

/** The audit of a database file, verified read-only from its first entry (no migration, nothing written). */
export function verifyFile(path: string): VerifyResult {
  const sqlite = openSqlite(path, { readonly: true, fileMustExist: true });
  try {
    return auditTrail(drizzle({ client: sqlite, schema }) as Db).verify();
  } finally {
    sqlite.close();
  }
}
