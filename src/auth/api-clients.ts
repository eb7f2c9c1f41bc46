/**
 * API clients and their bearer tokens. A token is 256 random bits; only its SHA-256 is stored,
 * so the database never holds a usable token and a lookup is one indexed read.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { apiClients } from '../../db/schema.ts';
import type { Role } from '../../machines/referral.schemas.ts';

export interface Actor {
  clientId: string;
  role: Role;
  organisation: string;
  /** A region id, or `*` for a national inspector. */
  region: string;
  name: string;
}

export const TOKEN_PREFIX = 'psd_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewClient {
  role: Role;
  organisation: string;
  region: string;
  name: string;
}

export function createClient(db: Db, client: NewClient, now: Date): { token: string; actor: Actor } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  db.insert(apiClients)
    .values({ id, tokenHash: hashToken(token), ...client, createdAt: now.toISOString() })
    .run();
  return { token, actor: { clientId: id, ...client } };
}

export function revokeClient(db: Db, id: string, now: Date): boolean {
  const result = db.update(apiClients)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(apiClients.id, id), isNull(apiClients.revokedAt)))
    .run();
  return result.changes === 1;
}

export function listClients(db: Db) {
  return db.select({
    id: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
    region: apiClients.region, name: apiClients.name, createdAt: apiClients.createdAt,
    revokedAt: apiClients.revokedAt,
  }).from(apiClients).all();
}

/** Prepared once per app: the lookup runs on every request. */
export function clientLookup(db: Db): (token: string) => Actor | undefined {
  const query = db.select({
    clientId: apiClients.id, role: apiClients.role, organisation: apiClients.organisation,
    region: apiClients.region, name: apiClients.name,
  })
    .from(apiClients)
    .where(and(eq(apiClients.tokenHash, sql.placeholder('hash')), isNull(apiClients.revokedAt)))
    .prepare();
  return (token) => query.get({ hash: hashToken(token) });
}
