/** The SQL of the notification outbox: claim due rows, record each attempt, list failures. */
import { and, asc, desc, eq, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { OutboxEntry } from '../rows.ts';
import { outbox } from '../../../db/schema.ts';
import type { Channel } from '../port.ts';

export function outboxRepository(db: Db) {
  // Webhook notifications have no recipient, e-mail notices one: each deliverer claims its own.
  const dueOf = (channel: Channel) => db.select().from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, sql.placeholder('now')),
      channel === 'mail' ? isNotNull(outbox.recipient) : isNull(outbox.recipient),
      sql`${outbox.region} NOT IN (SELECT value FROM json_each(${sql.placeholder('busy')}))`))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.seq))
    .limit(sql.placeholder('limit'))
    .prepare();
  const due = { webhook: dueOf('webhook'), mail: dueOf('mail') };
  const lease = db.update(outbox)
    .set({ nextAttemptAt: sql`${sql.placeholder('until')}` })
    .where(and(eq(outbox.seq, sql.placeholder('seq')), eq(outbox.status, 'pending')))
    .prepare();
  const skipOne = db.$client.prepare('UPDATE "outbox" SET "status" = \'skipped\' WHERE "seq" = ?');
  const skipAll = db.$client.transaction((seqs: readonly number[]) => {
    for (const seq of seqs) skipOne.run(seq);
  });

  return {
    /**
     * Pending notifications due by `now`, but none of a region still being delivered, each leased
     * until `until` so that a crash mid-delivery retries it later instead of losing it (delivery
     * is at least once; receivers drop repeats by id).
     */
    claimDue(now: string, until: string, limit: number, busyRegions: readonly string[] = [],
      channel: Channel = 'webhook'): OutboxEntry[] {
      return db.$client.transaction(() => {
        const rows = due[channel].all({ now, limit, busy: JSON.stringify(busyRegions) });
        for (const row of rows) lease.run({ seq: row.seq, until });
        return rows;
      }).immediate();
    },
    record(seq: number, change: Partial<Pick<OutboxEntry,
      'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>>): void {
      db.update(outbox).set(change).where(eq(outbox.seq, seq)).run();
    },
    /**
     * Marks these notifications skipped (their region has no webhook), in one transaction: one
     * COMMIT for a round's worth, not one per notification.
     */
    skip(seqs: readonly number[]): void {
      if (seqs.length > 0) skipAll.immediate(seqs);
    },
    failed(region: string, limit: number): OutboxEntry[] {
      const where = region === '*'
        ? eq(outbox.status, 'failed')
        : and(eq(outbox.status, 'failed'), eq(outbox.region, region));
      return db.select().from(outbox).where(where).orderBy(desc(outbox.seq)).limit(limit).all();
    },
    /** Puts failed notifications (one, or all) back in the queue, due now; returns how many. */
    retryFailed(id: string | undefined, now: string): number {
      const failed = eq(outbox.status, 'failed');
      return db.update(outbox)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: now })
        .where(id === undefined ? failed : and(failed, eq(outbox.id, id)))
        .run().changes;
    },
    byId(id: string): OutboxEntry | undefined {
      return db.select().from(outbox).where(eq(outbox.id, id)).get();
    },
  };
}

export type OutboxRepository = ReturnType<typeof outboxRepository>;
