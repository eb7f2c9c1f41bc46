/** The names of organisations on PostgreSQL: a short table read whole, changed by the command line (audited). */
import { organisations } from '../../../db/pg/schema.ts';
import { CLI_OPERATOR, type Operator } from '../../auth/actors.ts';
import { checkedOrganisation, organisationAudit } from '../../organisations/organisations.ts';
import { appendAudit } from './audit.ts';
import type { PgDb } from './client.ts';

export function pgOrganisations(db: PgDb) {
  return {
    async names(): Promise<Map<string, string>> {
      const { rows } = await db.$client.query<{ id: string; name: string }>('SELECT id, name FROM organisations');
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    async set(id: string, name: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<void> {
      const checked = checkedOrganisation(id, name);
      const updatedAt = now.toISOString();
      await db.transaction(async (tx) => {
        await tx.insert(organisations).values({ ...checked, updatedAt })
          .onConflictDoUpdate({ target: organisations.id, set: { name: checked.name, updatedAt } });
        await appendAudit(tx, [organisationAudit(checked.id, checked.name, updatedAt, operator)]);
      });
    },
  };
}
