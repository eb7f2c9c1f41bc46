/** The names of organisations on SQLite: a short table read whole, changed by the command line (audited). */
import { organisations } from '../../../db/schema.ts';
import { CLI_OPERATOR, type Operator } from '../../auth/actors.ts';
import { checkedOrganisation, organisationAudit } from '../../organisations/organisations.ts';
import { auditTrail } from './audit.ts';
import type { Db } from './client.ts';

export function organisationNames(db: Db) {
  const all = db.$client.prepare('SELECT id, name FROM organisations');
  return {
    names: (): Map<string, string> => new Map((all.all() as { id: string; name: string }[]).map((r) => [r.id, r.name])),
    set(id: string, name: string, now: Date, operator: Operator = CLI_OPERATOR): void {
      const checked = checkedOrganisation(id, name);
      const updatedAt = now.toISOString();
      db.$client.transaction(() => {
        db.insert(organisations).values({ ...checked, updatedAt })
          .onConflictDoUpdate({ target: organisations.id, set: { name: checked.name, updatedAt } })
          .run();
        auditTrail(db).append(organisationAudit(checked.id, checked.name, updatedAt, operator));
      }).immediate();
    },
  };
}
