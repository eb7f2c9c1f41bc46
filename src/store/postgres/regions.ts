/** Region settings on PostgreSQL: read on every write, changed by the command line (audited). */
import { asc, eq } from 'drizzle-orm';
import { regions } from '../../../db/pg/schema.ts';
import { CLI_OPERATOR, type Operator } from '../../auth/actors.ts';
import { regionAudit, regionValues, toSettings, type RegionUpdate } from '../../regions/region-settings.ts';
import { appendAudit } from './audit.ts';
import type { PgDb } from './client.ts';

/** Region settings on PostgreSQL: read on every write, changed by the CLI (audited, as on SQLite). */
export function pgRegions(db: PgDb) {
  const get = async (id: string) => toSettings((await db.select().from(regions).where(eq(regions.id, id)))[0]);
  return {
    get,
    async list() {
      return (await db.select().from(regions).orderBy(asc(regions.id))).map((r) => ({ id: r.id, settings: toSettings(r) }));
    },
    async set(id: string, update: RegionUpdate, now: Date, operator: Operator = CLI_OPERATOR) {
      const values = regionValues(update, now);
      await db.transaction(async (tx) => {
        await tx.insert(regions).values({ id, ...values }).onConflictDoUpdate({ target: regions.id, set: values });
        await appendAudit(tx, [regionAudit(id, update, values.updatedAt, operator)]);
      });
      return get(id);
    },
  };
}
