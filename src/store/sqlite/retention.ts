/**
 * Retention (R14, DESIGN §5.6): a file is kept 20 years after its last change (region setting
 * `retention`), then its content is destroyed. The same path serves an erasure the law requires
 * earlier, with its reason recorded.
 *
 * What goes: the case's snapshot; every trail payload and audit payload of the case, down to the
 * few codes the signalering figures count (see `residue`); the access log lines about it (the
 * log is kept as long as the file, NEN 7513); its idempotency answers and pending timers. What
 * stays: the case row's ids, state and dates and its report facts (codes and dates, no text), so
 * the figures of past periods do not change; every hash of the audit trail, so both chains still
 * verify (an entry's hash covers its payload's hash, src/audit/audit-hash.ts). The database's
 * triggers allow these changes for an erased case and for nothing else (migration 0011).
 *
 * One transaction per case. Erased means gone from the file too: every connection has
 * `secure_delete` (connection.ts), so what the erasure frees is zeroed; but copies of the words
 * that page splits moved earlier, or that a file written before secure_delete keeps in free space
 * and on the freelist, are out of its reach. So the whole file is rewritten (VACUUM: only live rows
 * are copied) after a `run` that erased something and after an `erase`, and a TRUNCATE checkpoint
 * moves the rewrite into the file and empties the WAL. Not after a run that erased nothing: the
 * rewrite holds the write lock for as long as it takes, and the run is daily. What erasures by an
 * older version left is rewritten once, when the service first starts on the file
 * (`rewriteOnceAfterUpgrade`).
 */
import { DateTime, Duration } from 'luxon';
import type Database from 'better-sqlite3';
import type { Db } from './client.ts';
import { DEFAULT_RETENTION, residue, type ErasureBasis } from '../../retention/retention.ts';
import { auditTrail } from './audit.ts';
import { entryHash } from '../../audit/audit-hash.ts';
import { toEntry } from '../../audit/audit-chain.ts';
import type { Operator } from '../../auth/actors.ts';

/**
 * VACUUM, then a TRUNCATE checkpoint. VACUUM holds the write lock while it runs (the service's
 * writes wait, up to their busy_timeout); the checkpoint waits (busy_timeout) for readers on older
 * snapshots, and if one keeps it from finishing, the service's checkpointer empties the WAL later
 * (at the latest when it stops).
 */
export function rewriteFile(sqlite: Database.Database): void {
  sqlite.pragma('secure_delete = ON');
  sqlite.exec('VACUUM');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

/** `PRAGMA user_version` from which a file is known to hold no remnants of erased text. */
export const REWRITTEN_SINCE = 1;

/**
 * A file written before every connection had secure_delete may keep erased words in free space:
 * rewritten once, at start-up before the service serves, then marked (user_version). True when it
 * was rewritten now.
 */
export function rewriteOnceAfterUpgrade(sqlite: Database.Database): boolean {
  if ((sqlite.pragma('user_version', { simple: true }) as number) >= REWRITTEN_SINCE) return false;
  rewriteFile(sqlite);
  sqlite.pragma(`user_version = ${REWRITTEN_SINCE}`);
  return true;
}

export function retention(db: Db) {
  const sqlite = db.$client;
  const audit = auditTrail(db);
  const regionsOf = sqlite.prepare(`SELECT DISTINCT c.region, r.retention FROM cases c
    LEFT JOIN regions r ON r.id = c.region WHERE c.erased_at IS NULL`);
  const dueIn = sqlite.prepare(`SELECT id FROM cases WHERE region = ? AND erased_at IS NULL AND updated_at < ?
    ORDER BY seq`).pluck();
  const markErased = sqlite.prepare(`UPDATE cases SET erased_at = @at, snapshot = '{"erased":true}'
    WHERE id = @id AND erased_at IS NULL`);
  const eventsOf = sqlite.prepare('SELECT seq, type, payload FROM case_events WHERE case_id = ?');
  const reduceEvent = sqlite.prepare('UPDATE case_events SET payload = ? WHERE seq = ?');
  const entriesOf = sqlite.prepare('SELECT * FROM audit_log WHERE case_id = ? AND erased_at IS NULL');
  const reduceEntry = sqlite.prepare('UPDATE audit_log SET payload = ?, erased_at = ?, entry_hash = ? WHERE seq = ?');
  const dropLines = sqlite.prepare(`DELETE FROM access_log WHERE EXISTS (SELECT 1 FROM json_each(case_ids) WHERE value = @id)
    AND NOT EXISTS (SELECT 1 FROM json_each(case_ids) j
      WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = j.value AND c.erased_at IS NOT NULL))`);
  const trimLines = sqlite.prepare(`UPDATE access_log SET case_ids = (SELECT json_group_array(value)
      FROM json_each(case_ids) WHERE value <> @id)
    WHERE EXISTS (SELECT 1 FROM json_each(case_ids) WHERE value = @id)`);
  const cancelTimers = sqlite.prepare(`UPDATE timers SET status = 'cancelled', settled_at = @at
    WHERE case_id = @id AND status = 'pending'`);
  const dropKeys = sqlite.prepare('DELETE FROM idempotency_keys WHERE case_id = @id');

  /** Destroys one case's content; false when it was already gone or never existed. */
  const eraseTx = sqlite.transaction((id: string, basis: ErasureBasis, at: string, operator: Operator,
    reference?: string): boolean => {
    if (markErased.run({ id, at }).changes === 0) return false;
    for (const e of eventsOf.all(id) as { seq: number; type: string; payload: string }[]) {
      reduceEvent.run(residue(e.type, e.payload), e.seq);
    }
    for (const raw of entriesOf.all(id) as Record<string, unknown>[]) {
      const fields = toEntry(raw);
      // An older entry's hash covers its payload: keep that hash before the payload goes.
      const kept = fields.payloadHash === null ? entryHash(fields) : null;
      reduceEntry.run(residue(fields.eventType, fields.payload), at, kept, fields.seq);
    }
    dropLines.run({ id });
    trimLines.run({ id });
    cancelTimers.run({ id, at });
    dropKeys.run({ id });
    audit.append({
      at, action: 'case_erased', caseId: null, actorRole: operator.role, actorOrganisation: operator.organisation,
      actorName: operator.name, actorClientId: operator.clientId, onBehalfOf: null, eventType: null,
      fromState: null, toState: null, machineVersion: null,
      payload: JSON.stringify({ caseId: id, basis, ...(reference ? { reference } : {}) }),
    });
    return true;
  });

  const rewrite = (): void => rewriteFile(sqlite);

  return {
    /** The cases whose last change lies more than their region's retention period before `asOf`. */
    due(asOf: Date): string[] {
      const ids: string[] = [];
      for (const r of regionsOf.all() as { region: string; retention: string | null }[]) {
        const cutoff = DateTime.fromJSDate(asOf, { zone: 'utc' }).minus(Duration.fromISO(r.retention ?? DEFAULT_RETENTION));
        ids.push(...(dueIn.all(r.region, cutoff.toISO()) as string[]));
      }
      return ids;
    },

    /** Destroys the content of every case due on `asOf`; `at` is when it happens. */
    run(asOf: Date, at: Date, operator: Operator): string[] {
      const due = this.due(asOf);
      const erased = due.filter((id) => eraseTx.immediate(id, 'retention', at.toISOString(), operator));
      if (erased.length > 0) rewrite();
      return erased;
    },

    /** An erasure the law requires before the retention period ends; `reference`: the decision's number. */
    erase(id: string, at: Date, operator: Operator, reference?: string): boolean {
      if (!eraseTx.immediate(id, 'legal_obligation', at.toISOString(), operator, reference)) return false;
      rewrite();
      return true;
    },
  };
}
