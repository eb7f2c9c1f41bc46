/**
 * Retention and erasure on PostgreSQL (R14, DESIGN §5.6; the rules in src/retention/retention.ts), as sqlite/retention.ts does them
 * on SQLite: a file's snapshot, trail and audit payloads reduced to what the figures count, its
 * access log lines removed or narrowed, its pending timers cancelled and its idempotency answers
 * dropped, in one transaction with the case's row locked (so no instance writes to it meanwhile),
 * and a `case_erased` entry in the audit trail. The database's triggers allow exactly this
 * reduction and nothing else.
 *
 * PostgreSQL keeps the old row versions (dead tuples) in the table's pages until VACUUM, and a
 * plain VACUUM only marks their space free: the bytes stay until something overwrites them. So
 * after a `run` that erased something and after an `erase`, `VACUUM (FULL)` rewrites the tables
 * that held the words into new files with only the live rows. It locks each table while
 * it copies it: requests of every instance wait that long.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DateTime, Duration } from 'luxon';
import type { PgDb } from './client.ts';
import { entryHash } from '../../audit/audit-hash.ts';
import { appendAudit } from './audit.ts';
import { DEFAULT_RETENTION, residue, type ErasureBasis } from '../../retention/retention.ts';
import { toEntry } from '../../audit/audit-chain.ts';
import type { Operator } from '../../auth/actors.ts';

export function pgRetention(db: PgDb) {
  async function erase(id: string, basis: ErasureBasis, at: string, operator: Operator, reference?: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      const q = async (query: SQL) => (await tx.execute(query)).rows as Record<string, unknown>[];
      const [locked] = await q(sql`SELECT id FROM cases WHERE id = ${id} AND erased_at IS NULL FOR UPDATE`);
      if (!locked) return false;
      await q(sql`UPDATE cases SET erased_at = ${at}, snapshot = '{"erased":true}' WHERE id = ${id}`);
      for (const e of await q(sql`SELECT seq, type, payload FROM case_events WHERE case_id = ${id}`)) {
        await q(sql`UPDATE case_events SET payload = ${residue(e.type as string, e.payload as string)} WHERE seq = ${e.seq}`);
      }
      for (const raw of await q(sql`SELECT * FROM audit_log WHERE case_id = ${id} AND erased_at IS NULL`)) {
        const fields = toEntry(raw);
        // An older entry's hash covers its payload: keep that hash before the payload goes.
        const kept = fields.payloadHash === null ? entryHash(fields) : null;
        await q(sql`UPDATE audit_log SET payload = ${residue(fields.eventType, fields.payload)}, erased_at = ${at},
          entry_hash = ${kept} WHERE seq = ${fields.seq}`);
      }
      await q(sql`DELETE FROM access_log WHERE case_ids::jsonb ? ${id} AND NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(case_ids::jsonb) j(id)
        WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = j.id AND c.erased_at IS NOT NULL))`);
      await q(sql`UPDATE access_log SET case_ids = (SELECT coalesce(jsonb_agg(j.id), '[]'::jsonb)::text
        FROM jsonb_array_elements_text(case_ids::jsonb) j(id) WHERE j.id <> ${id}) WHERE case_ids::jsonb ? ${id}`);
      await q(sql`UPDATE timers SET status = 'cancelled', settled_at = ${at} WHERE case_id = ${id} AND status = 'pending'`);
      await q(sql`DELETE FROM idempotency_keys WHERE case_id = ${id}`);
      await appendAudit(tx, [{
        at, action: 'case_erased', caseId: null, actorRole: operator.role, actorOrganisation: operator.organisation,
        actorName: operator.name, actorClientId: operator.clientId, onBehalfOf: null, eventType: null,
        fromState: null, toState: null, machineVersion: null,
        payload: JSON.stringify({ caseId: id, basis, ...(reference ? { reference } : {}) }),
      }]);
      return true;
    });
  }

  /** The tables whose rows held a case's words: every old version of them goes. */
  const rewrite = async (): Promise<void> => {
    await db.$client.query('VACUUM (FULL) cases, case_events, audit_log, access_log, idempotency_keys, timers');
  };

  return {
    /** The cases whose last change lies more than their region's retention period before `asOf`. */
    async due(asOf: Date): Promise<string[]> {
      const ids: string[] = [];
      const { rows } = await db.$client.query(`SELECT DISTINCT c.region, r.retention FROM cases c
        LEFT JOIN regions r ON r.id = c.region WHERE c.erased_at IS NULL`);
      for (const r of rows as { region: string; retention: string | null }[]) {
        const cutoff = DateTime.fromJSDate(asOf, { zone: 'utc' }).minus(Duration.fromISO(r.retention ?? DEFAULT_RETENTION));
        const due = await db.$client.query<{ id: string }>(`SELECT id FROM cases WHERE region = $1 AND erased_at IS NULL AND updated_at < $2
          ORDER BY seq`, [r.region, cutoff.toISO()]);
        ids.push(...due.rows.map((d) => d.id));
      }
      return ids;
    },
    async run(asOf: Date, at: Date, operator: Operator): Promise<string[]> {
      const erased: string[] = [];
      for (const id of await this.due(asOf)) if (await erase(id, 'retention', at.toISOString(), operator)) erased.push(id);
      if (erased.length > 0) await rewrite();
      return erased;
    },
    async erase(id: string, at: Date, operator: Operator, reference?: string): Promise<boolean> {
      if (!await erase(id, 'legal_obligation', at.toISOString(), operator, reference)) return false;
      await rewrite();
      return true;
    },
  };
}
