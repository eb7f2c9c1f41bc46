/**
 * People and their one-time sign-in links on PostgreSQL (the rules: src/auth/people.ts). Link
 * secrets are 256 random bits; only their SHA-256 is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import { sessions, signInLinks, users } from '../../../db/pg/schema.ts';
import { administrationEntry, CLI_OPERATOR, hashToken, type Operator } from '../../auth/actors.ts';
import { DuplicateEmail, normaliseEmail, SIGN_IN_LINK_MINUTES, type NewUser, type PersonChange, type User } from '../../auth/people.ts';
import type { People } from '../port.ts';
import { appendAudit } from './audit.ts';
import type { PgDb } from './client.ts';
import { UUID } from '../../validation.ts';

const secret = (): string => randomBytes(32).toString('base64url');

export function pgPeople(db: PgDb): People {
  const find = async (id: string): Promise<User | undefined> => (await db.select().from(users).where(eq(users.id, id)))[0];
  return {
    async create(user: NewUser, now: Date, operator: Operator = CLI_OPERATOR): Promise<User> {
      const row: User = { id: randomUUID(), ...user, email: normaliseEmail(user.email), createdAt: now.toISOString(), disabledAt: null, notices: 'instant' };
      await db.transaction(async (tx) => {
        const inserted = await tx.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning({ id: users.id });
        if (inserted.length === 0) throw new DuplicateEmail();
        await appendAudit(tx, [administrationEntry(operator, 'user_created', row.createdAt,
          { userId: row.id, role: row.role, organisation: row.organisation, region: row.region })]);
      });
      return row;
    },
    async disable(id: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<boolean> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const done = await tx.update(users).set({ disabledAt: at }).where(and(eq(users.id, id), isNull(users.disabledAt)))
          .returning({ id: users.id });
        if (done.length !== 1) return false;
        await tx.delete(sessions).where(eq(sessions.userId, id));
        await appendAudit(tx, [administrationEntry(operator, 'user_disabled', at, { userId: id })]);
        return true;
      });
    },
    async enable(id: string, now: Date, operator: Operator = CLI_OPERATOR): Promise<boolean> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const done = await tx.update(users).set({ disabledAt: null }).where(and(eq(users.id, id), isNotNull(users.disabledAt)))
          .returning({ id: users.id });
        if (done.length !== 1) return false;
        await appendAudit(tx, [administrationEntry(operator, 'user_enabled', at, { userId: id })]);
        return true;
      });
    },
    async change(id: string, change: PersonChange, now: Date, operator: Operator = CLI_OPERATOR): Promise<User | undefined> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const [user] = await tx.select().from(users).where(eq(users.id, id)).for('update');
        if (!user) return undefined;
        const next = { role: change.role ?? user.role, organisation: change.organisation ?? user.organisation };
        if (next.role === user.role && next.organisation === user.organisation) return user;
        await tx.update(users).set(next).where(eq(users.id, id));
        await tx.delete(sessions).where(eq(sessions.userId, id));
        await appendAudit(tx, [administrationEntry(operator, 'user_changed', at, { userId: id, ...next })]);
        return { ...user, ...next };
      });
    },
    async setNotices(id: string, notices: User['notices']): Promise<boolean> {
      return (await db.update(users).set({ notices }).where(eq(users.id, id)).returning({ id: users.id })).length === 1;
    },
    get: find,
    list: async (region?: string) => {
      const query = db.select().from(users);
      return (region === undefined ? query : query.where(eq(users.region, region))).orderBy(users.name);
    },
    // An id that is not one we give out names nobody (and PostgreSQL refuses text with a NUL byte).
    byId: async (id: string) => (UUID.test(id) ? find(id) : undefined),
    byEmail: async (email: string) =>
      (await db.select().from(users).where(and(eq(users.email, normaliseEmail(email)), isNull(users.disabledAt))))[0],
    async signInLink(userId: string, now: Date) {
      const user = await find(userId);
      if (!user || user.disabledAt !== null) return undefined;
      const token = secret();
      await db.insert(signInLinks).values({ tokenHash: hashToken(token), userId,
        expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000).toISOString() });
      return token;
    },
    async redeem(token: string, now: Date) {
      const at = now.toISOString();
      const [link] = await db.update(signInLinks).set({ usedAt: at })
        .where(and(eq(signInLinks.tokenHash, hashToken(token)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, at)))
        .returning({ userId: signInLinks.userId });
      const user = link && await find(link.userId);
      return user && user.disabledAt === null ? user : undefined;
    },
    async linkUsable(token: string, now: Date) {
      const [link] = await db.select().from(signInLinks).where(eq(signInLinks.tokenHash, hashToken(token)));
      return link !== undefined && link.usedAt === null && link.expiresAt > now.toISOString();
    },
  };
}
