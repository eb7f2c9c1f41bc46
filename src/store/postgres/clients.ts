/** API clients on PostgreSQL: created and revoked from the command line (audited), looked up on every request. */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { apiClients } from '../../../db/pg/schema.ts';
import {
  administrationEntry, CLI_OPERATOR, hashToken, TOKEN_PREFIX, type Actor, type NewClient, type Operator,
} from '../../auth/actors.ts';
import { appendAudit } from './audit.ts';
import { LAST_USE_RESOLUTION_MS } from '../../auth/last-use.ts';
import type { PgDb } from './client.ts';

export function pgClients(db: PgDb) {
  return {
    async lookup(token: string): Promise<Actor | undefined> {
      const [found] = await db.select({
        clientId: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
        region: apiClients.region, name: apiClients.name,
      }).from(apiClients).where(and(eq(apiClients.tokenHash, hashToken(token)), isNull(apiClients.revokedAt)));
      return found;
    },
    list: async () => db.select({
      id: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
      region: apiClients.region, name: apiClients.name, createdAt: apiClients.createdAt, revokedAt: apiClients.revokedAt,
      lastUsedAt: apiClients.lastUsedAt,
    }).from(apiClients),
    async used(id: string, at: Date): Promise<void> {
      const before = new Date(at.getTime() - LAST_USE_RESOLUTION_MS).toISOString();
      await db.update(apiClients).set({ lastUsedAt: at.toISOString() })
        .where(and(eq(apiClients.id, id), or(isNull(apiClients.lastUsedAt), lte(apiClients.lastUsedAt, before))));
    },
    async create(client: NewClient, now: Date, operator: Operator = CLI_OPERATOR): Promise<{ token: string; actor: Actor }> {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const id = randomUUID();
      const at = now.toISOString();
      await db.transaction(async (tx) => {
        await tx.insert(apiClients).values({ id, tokenHash: hashToken(token), ...client, createdAt: at });
        await appendAudit(tx, [administrationEntry(operator, 'token_created', at, { clientId: id, ...client })]);
      });
      return { token, actor: { clientId: id, ...client } };
    },
    async revoke(id: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<boolean> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const done = await tx.update(apiClients).set({ revokedAt: at })
          .where(and(eq(apiClients.id, id), isNull(apiClients.revokedAt))).returning({ id: apiClients.id });
        if (done.length !== 1) return false;
        await appendAudit(tx, [administrationEntry(operator, 'token_revoked', at, { clientId: id })]);
        return true;
      });
    },
  };
}
