/** Region settings on SQLite: read on every write (a prepared statement), changed by the command line (audited). */
import type { Db } from './client.ts';
import { regions } from '../../../db/schema.ts';
import { selectList } from '../sql/columns.ts';
import { auditTrail } from './audit.ts';
import { CLI_OPERATOR, type Operator } from '../../auth/actors.ts';
import {
  regionAudit, regionValues, toSettings, type RegionRow, type RegionSettings, type RegionUpdate,
} from '../../regions/region-settings.ts';

export function regionSettings(db: Db) {
  // Read on every write: straight to better-sqlite3 (sql/columns.ts).
  const byId = db.$client.prepare(`SELECT ${selectList(regions)} FROM "regions" WHERE "id" = ?`);
  const row = (id: string) => byId.get(id) as RegionRow | undefined;
  const all = db.$client.prepare(`SELECT ${selectList(regions)} FROM "regions" ORDER BY "id"`);
  return {
    get: (id: string): RegionSettings => toSettings(row(id)),
    list: (): { id: string; settings: RegionSettings }[] =>
      (all.all() as RegionRow[]).map((r) => ({ id: r.id, settings: toSettings(r) })),
    set(id: string, update: RegionUpdate, now: Date, operator: Operator = CLI_OPERATOR): RegionSettings {
      const values = regionValues(update, now);
      db.$client.transaction(() => {
        db.insert(regions).values({ id, ...values })
          .onConflictDoUpdate({ target: regions.id, set: values })
          .run();
        auditTrail(db).append(regionAudit(id, update, values.updatedAt, operator));
      }).immediate();
      return toSettings(row(id));
    },
  };
}

export type RegionSettingsRepository = ReturnType<typeof regionSettings>;
