/**
 * The notification outbox on PostgreSQL, claimed with FOR UPDATE SKIP LOCKED, so that instances
 * never deliver the same notification at once.
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, notInArray } from 'drizzle-orm';
import { outbox } from '../../../db/pg/schema.ts';
import type { Outbox, OutboxEntry } from '../port.ts';
import type { PgDb } from './client.ts';

export function pgOutbox(db: PgDb): Outbox {
  return {
    /** As on SQLite, and claimed with SKIP LOCKED: two instances never lease the same row. */
    async claimDue(now: string, until: string, limit: number, busyRegions: readonly string[] = [],
      channel = 'webhook'): Promise<OutboxEntry[]> {
      return db.transaction(async (tx) => {
        const rows = await tx.select().from(outbox).where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now),
          channel === 'mail' ? isNotNull(outbox.recipient) : isNull(outbox.recipient),
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
