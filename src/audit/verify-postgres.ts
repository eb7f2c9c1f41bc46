/**
 * Audit verification on the PostgreSQL store: the same checks as on SQLite (verifyRows in
 * audit-log.ts), over rows read a page at a time in one REPEATABLE READ, READ ONLY transaction,
 * so that the log and the trail are read as of one moment while instances go on writing. The
 * reads wait on the server, not on the event loop; the hashing of a page runs between them.
 */
import type { PgDb } from '../../db/pg/client.ts';
import type { VerifyResult } from './audit-contract.ts';
import { brokenAt, finishVerification, freshVerification, verifyRows, type VerifyState } from './audit-log.ts';

const PAGE = 2_000;

export async function verifyPostgres(db: PgDb, from: VerifyState = freshVerification()):
  Promise<{ result: VerifyResult; state: VerifyState | null }> {
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      let state = from;
      if (state.seq > 0) {
        const kept = await client.query('SELECT log_hash FROM audit_log WHERE seq = $1', [state.seq]);
        if (kept.rows[0]?.log_hash !== state.logHash) {
          return brokenAt(state, { seq: state.seq, reason: 'the last verified entry changed' });
        }
      }
      for (;;) {
        const page = (await client.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
          [state.seq, PAGE])).rows as Record<string, unknown>[];
        if (page.length === 0) break;
        // The trail rows these entries pair with: one per entry of a case, in order.
        const paired = page.filter((r) => r.case_id !== null).length;
        const events = paired === 0 ? [] : (await client.query(
          'SELECT * FROM case_events WHERE seq > $1 ORDER BY seq LIMIT $2', [state.eventSeq, paired])).rows;
        const run = verifyRows(state, page, events[Symbol.iterator]());
        if (run.broken) return brokenAt(run.state, run.broken);
        state = run.state;
        if (page.length < PAGE) break;
      }
      const left = await client.query('SELECT 1 FROM case_events WHERE seq > $1 LIMIT 1', [state.eventSeq]);
      return finishVerification(state, left.rowCount !== 0);
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    client.release();
  }
}
