/**
 * Audit verification on the PostgreSQL store: the same checks as on SQLite (verifyRows in
 * src/audit/audit-chain.ts), over rows read a page at a time in one REPEATABLE READ, READ ONLY transaction,
 * so that the log and the trail are read as of one moment while instances go on writing. The
 * reads wait on the server, not on the event loop; the hashing of a page runs between them.
 *
 * One difference: SQLite has one writer, so its trail rows come in the audit's order and are
 * paired walking both tables. Instances on PostgreSQL write trail rows in parallel and chain the
 * audit under a lock afterwards, so here each entry is paired with the trail row of its case and
 * version, and at the end there must be no more trail rows than entries of cases.
 */
import type { PgDb } from './client.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import type { AuditVerifier } from '../port.ts';
import { brokenAt, finishVerification, freshVerification, verifyRows, type VerifyState } from '../../audit/audit-chain.ts';

const PAGE = 2_000;

/** The paired rows as verifyRows reads them: a missing row reads as the end of the trail. */
function* pairs(rows: (Record<string, unknown> | undefined)[]): Generator<unknown> {
  for (const row of rows) {
    if (row === undefined) return;
    yield row;
  }
}

export async function verifyPostgres(db: PgDb, from: VerifyState = freshVerification()):
Promise<{ result: VerifyResult; state: VerifyState | null }> {
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      let state = from;
      if (state.seq > 0) {
        const kept = await client.query<{ log_hash: string }>('SELECT log_hash FROM audit_log WHERE seq = $1', [state.seq]);
        if (kept.rows[0]?.log_hash !== state.logHash) {
          return brokenAt(state, { seq: state.seq, reason: 'the last verified entry changed' });
        }
      }
      for (;;) {
        const page = (await client.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
          [state.seq, PAGE])).rows as Record<string, unknown>[];
        if (page.length === 0) break;
        // The trail rows these entries pair with: the row of the entry's case at its case_seq.
        // (Instances write trail rows in parallel, so their seq need not follow the audit's order.)
        const keyed = page.filter((r) => r.case_id !== null);
        const found = keyed.length === 0 ? [] : (await client.query(`SELECT e.* FROM case_events e
          JOIN unnest($1::text[], $2::int[]) AS k(case_id, version) ON e.case_id = k.case_id AND e.version = k.version`,
        [keyed.map((r) => r.case_id), keyed.map((r) => r.case_seq)])).rows as Record<string, unknown>[];
        const byKey = new Map(found.map((e) => [`${e.case_id as string} ${e.version as number}`, e]));
        const events = keyed.map((r) => byKey.get(`${r.case_id as string} ${r.case_seq as number}`));
        const run = verifyRows(state, page, pairs(events));
        if (run.broken) return brokenAt(run.state, run.broken);
        state = run.state;
        if (page.length < PAGE) break;
      }
      // No trail row without its entry: as many trail rows as entries of cases, as of this moment.
      const { rows: [counts] } = await client.query<{ trail: string; entries: string }>(`SELECT (SELECT count(*) FROM case_events)::bigint AS trail,
        (SELECT count(*) FROM audit_log WHERE case_id IS NOT NULL)::bigint AS entries`);
      return finishVerification(state, Number(counts?.trail) > Number(counts?.entries));
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    client.release();
  }
}

/**
 * The store's verifier on PostgreSQL: the reads wait on the server, not on the event loop.
 * Incremental like the SQLite verifier: from the last verified entry, unless a full run is asked
 * for; one at a time.
 */
export function pgVerifier(db: PgDb): AuditVerifier {
  let state: VerifyState | null = null;
  let last: VerifyResult | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    verify(full = false) {
      const run = queue.then(async () => {
        const outcome = await verifyPostgres(db, full || state === null ? freshVerification() : state);
        state = outcome.state;
        last = outcome.result;
        return outcome.result;
      });
      queue = run.catch(() => {});
      return run;
    },
    state: () => last,
    async close() { await queue; },
  };
}
