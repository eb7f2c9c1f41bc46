/** API clients on SQLite: created and revoked from the command line (audited), looked up on every request. */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './client.ts';
import { apiClients } from '../../../db/schema.ts';
import { auditTrail } from './audit.ts';
import { administrationEntry, CLI_OPERATOR, hashToken, TOKEN_PREFIX, type Actor, type NewClient } from '../../auth/actors.ts';
import { LAST_USE_RESOLUTION_MS } from '../../auth/last-use.ts';

/** An administrative change (tokens, people) in the audit trail, inside the caller's transaction. */
export function auditAdministration(db: Db, ...entry: Parameters<typeof administrationEntry>): void {
  auditTrail(db).append(administrationEntry(...entry));
}

export function createClient(db: Db, client: NewClient, now: Date, operator = CLI_OPERATOR): {
  token: string; actor: Actor;
} {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const at = now.toISOString();
  db.$client.transaction(() => {
    db.insert(apiClients).values({ id, tokenHash: hashToken(token), ...client, createdAt: at }).run();
    auditAdministration(db, operator, 'token_created', at, { clientId: id, ...client });
  }).immediate();
  return { token, actor: { clientId: id, ...client } };
}

export function revokeClient(db: Db, id: string, now: Date, operator = CLI_OPERATOR): boolean {
  const at = now.toISOString();
  return db.$client.transaction(() => {
    const result = db.update(apiClients)
      .set({ revokedAt: at })
      .where(and(eq(apiClients.id, id), isNull(apiClients.revokedAt)))
      .run();
    if (result.changes !== 1) return false;
    auditAdministration(db, operator, 'token_revoked', at, { clientId: id });
    return true;
  }).immediate();
}

export function listClients(db: Db) {
  return db.select({
    id: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
    region: apiClients.region, name: apiClients.name, createdAt: apiClients.createdAt,
    revokedAt: apiClients.revokedAt, lastUsedAt: apiClients.lastUsedAt,
  }).from(apiClients).all();
}

/** Notes that a client was used at `at`, unless a use less than a minute before is noted already. */
export function clientUse(db: Db): (id: string, at: Date) => void {
  const update = db.$client.prepare(`UPDATE "api_clients" SET "last_used_at" = ?
    WHERE "id" = ? AND ("last_used_at" IS NULL OR "last_used_at" <= ?)`);
  return (id, at) => void update.run(at.toISOString(), id, new Date(at.getTime() - LAST_USE_RESOLUTION_MS).toISOString());
}

/** Prepared once per app, straight on better-sqlite3 (sql/columns.ts): the lookup runs on every request. */
export function clientLookup(db: Db): (token: string) => Actor | undefined {
  const query = db.$client.prepare(`SELECT "id" AS "clientId", "role", "organisation", "region", "name"
    FROM "api_clients" WHERE "token_hash" = ? AND "revoked_at" IS NULL`);
  return (token) => query.get(hashToken(token)) as Actor | undefined;
}
