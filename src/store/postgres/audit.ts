/**
 * The audit trail on PostgreSQL: appending (the chains continued under the case's row lock and the
 * audit lock), and what readers are shown of it, as sqlite/audit.ts does on SQLite.
 */
import { createHash } from 'node:crypto';
import { asc, eq, getTableColumns } from 'drizzle-orm';
import type { PgDb } from './client.ts';
import { auditLog } from '../../../db/pg/schema.ts';
import { GENESIS } from '../../audit/audit-hash.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import { execute, query, statement, type Conn, type Statement } from './statements.ts';
import type { AuditReader } from '../port.ts';
import type { AuditEntry } from '../rows.ts';
import { chainedEntry, type NewAuditEntry } from '../../audit/audit-chain.ts';

/** The advisory lock of the audit log chain (any constant: one per purpose). */
export const AUDIT_LOCK = 7_313_002;

/** The last entry of a case's chain (undefined: the case has none yet). */
export type CaseHead = { caseSeq: number | null; caseHash: string | null } | undefined;

/**
 * Appends entries in order, chained to their case and to the log: takes the audit lock (held to
 * COMMIT), so call it as the last thing of the transaction. Each entry's case must be locked by
 * the caller (its row), or the entry has no case. `known`: heads of cases the caller read after
 * locking them (the engine reads them with the lock, engine.ts), not read again.
 */
export async function appendAudit(tx: Conn, entries: readonly NewAuditEntry[],
  known?: ReadonlyMap<string, CaseHead>): Promise<void> {
  if (entries.length === 0) return;
  // The heads of the entries' cases first, outside the audit lock: the caller holds their rows.
  const heads = new Map<string, CaseHead>(known);
  const caseIds = [...new Set(entries.map((e) => e.caseId).filter((id): id is string => id !== null && !heads.has(id)))];
  if (caseIds.length > 0) {
    const found = await query<{ caseId: string; caseSeq: number | null; caseHash: string | null }>(tx, SQL.caseHeads, [caseIds]);
    for (const head of found) heads.set(head.caseId, head);
  }
  // Then the lock and the log's head in one round trip (migration 0002), and every entry in one INSERT:
  // the lock is held for those two statements and the COMMIT.
  const [head] = await query<{ seq: number; log_hash: string }>(tx, SQL.logHead, [AUDIT_LOCK]);
  let log = head ? { seq: head.seq, logHash: head.log_hash } : undefined;
  const rows: AuditEntry[] = [];
  for (const entry of entries) {
    const row = chainedEntry(entry, log, entry.caseId === null ? undefined : heads.get(entry.caseId));
    rows.push(row);
    log = { seq: row.seq, logHash: row.logHash };
    if (entry.caseId !== null) heads.set(entry.caseId, { caseSeq: row.caseSeq, caseHash: row.caseHash });
  }
  await execute(tx, insertRows(rows.length), rows.flatMap((row) => AUDIT_COLUMNS.map((key) => row[key] ?? null)));
}

/** The columns of a new entry, in the schema's order (erasure columns stay null). */
const AUDIT_COLUMNS = (Object.keys(getTableColumns(auditLog)) as (keyof AuditEntry)[])
  .filter((key) => key !== 'erasedAt' && key !== 'entryHash');

const SQL = {
  caseHeads: statement('audit_case_heads', `SELECT DISTINCT ON ("case_id") "case_id" AS "caseId",
    "case_seq" AS "caseSeq", "case_hash" AS "caseHash" FROM "audit_log" WHERE "case_id" = ANY($1)
    ORDER BY "case_id", "case_seq" DESC`),
  logHead: statement('audit_log_head', 'SELECT * FROM passend_audit_head($1)'),
};

/** The INSERT of `n` entries; an event writes one, a caught-up deadline and its event two. */
const inserts = new Map<number, Statement>();
function insertRows(n: number): Statement {
  let s = inserts.get(n);
  if (!s) {
    const columns = getTableColumns(auditLog);
    const names = AUDIT_COLUMNS.map((key) => `"${columns[key].name}"`).join(', ');
    const tuples = Array.from({ length: n }, (_, row) =>
      `(${AUDIT_COLUMNS.map((_, i) => `$${row * AUDIT_COLUMNS.length + i + 1}`).join(', ')})`);
    s = statement(`audit_insert_${n}`, `INSERT INTO "audit_log" (${names}) VALUES ${tuples.join(', ')}`);
    if (n <= 8) inserts.set(n, s);
    else s = { name: '', text: s.text };
  }
  return s;
}

export function pgAuditReader(db: PgDb): AuditReader {
  return {
    ofCase: async (caseId: string): Promise<AuditEntry[]> =>
      db.select().from(auditLog).where(eq(auditLog.caseId, caseId)).orderBy(asc(auditLog.caseSeq)),

    /** As on SQLite: the region's verified entries and a head over the last entry of each of its cases. */
    async regionView(region: string, result: VerifyResult) {
      const before = result.firstBroken?.seq ?? 2 ** 31 - 1;
      const { rows: [counted] } = await db.$client.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log a
        JOIN cases c ON c.id = a.case_id WHERE c.region = $1 AND a.seq < $2`, [region, before]);
      const { rows: heads } = await db.$client.query<{ case_id: string; case_hash: string }>(`SELECT a.case_id, a.case_hash FROM cases c
        JOIN audit_log a ON a.case_id = c.id
        WHERE c.region = $1 AND a.case_seq = (SELECT max(case_seq) FROM audit_log l WHERE l.case_id = c.id AND l.seq < $2)
        ORDER BY c.seq`, [region, before]);
      const checked = counted?.n ?? 0;
      if (heads.length === 0) return { checked, head: GENESIS };
      const hash = createHash('sha256');
      for (const h of heads) hash.update(`${h.case_id} ${h.case_hash}\n`);
      return { checked, head: hash.digest('hex') };
    },
  };
}
