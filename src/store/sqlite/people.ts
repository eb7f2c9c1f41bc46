/**
 * People, their one-time sign-in links and their sessions on SQLite (the rules: src/auth/people.ts
 * and src/auth/sessions.ts). Secrets (link tokens, session ids) are 256 random bits; only their
 * SHA-256 is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { User } from '../rows.ts';
import { DuplicateEmail, normaliseEmail, SIGN_IN_LINK_MINUTES, type NewUser, type Session } from '../../auth/people.ts';

const secret = (): string => randomBytes(32).toString('base64url');
import { sessions, signInLinks, users } from '../../../db/schema.ts';
import { auditAdministration } from './clients.ts';
import { CLI_OPERATOR, hashToken, type Actor, type Operator } from '../../auth/actors.ts';


export function createUser(db: Db, user: NewUser, now: Date, operator: Operator = CLI_OPERATOR): User {
  const row: User = {
    id: randomUUID(), ...user, email: normaliseEmail(user.email), createdAt: now.toISOString(), disabledAt: null,
  };
  db.$client.transaction(() => {
    if (db.select({ id: users.id }).from(users).where(eq(users.email, row.email)).get()) throw new DuplicateEmail();
    db.insert(users).values(row).run();
    // The audit names who created whom, with role and place; the email stays out of the chain.
    auditAdministration(db, operator, 'user_created', row.createdAt,
      { userId: row.id, role: row.role, organisation: row.organisation, region: row.region });
  }).immediate();
  return row;
}

export function disableUser(db: Db, id: string, now: Date, operator: Operator = CLI_OPERATOR): boolean {
  const at = now.toISOString();
  return db.$client.transaction(() => {
    const result = db.update(users).set({ disabledAt: at })
      .where(and(eq(users.id, id), isNull(users.disabledAt))).run();
    if (result.changes !== 1) return false;
    db.delete(sessions).where(eq(sessions.userId, id)).run();
    auditAdministration(db, operator, 'user_disabled', at, { userId: id });
    return true;
  }).immediate();
}

export function findUser(db: Db, id: string): User | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export function findUserByEmail(db: Db, email: string): User | undefined {
  return db.select().from(users).where(and(eq(users.email, normaliseEmail(email)), isNull(users.disabledAt))).get();
}

export function listUsers(db: Db, region?: string): User[] {
  const query = db.select().from(users);
  return (region === undefined ? query : query.where(eq(users.region, region))).orderBy(users.name).all();
}

/** A one-time link secret for an active user, valid SIGN_IN_LINK_MINUTES; undefined for no such user. */
export function createSignInLink(db: Db, userId: string, now: Date): string | undefined {
  const user = findUser(db, userId);
  if (!user || user.disabledAt !== null) return undefined;
  const token = secret();
  db.insert(signInLinks).values({
    tokenHash: hashToken(token), userId,
    expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000).toISOString(),
  }).run();
  return token;
}

/** Uses a link up: the user it was for, once, while it is valid and the user active. */
export function redeemSignInLink(db: Db, token: string, now: Date): User | undefined {
  const at = now.toISOString();
  return db.$client.transaction(() => {
    const link = db.update(signInLinks).set({ usedAt: at })
      .where(and(eq(signInLinks.tokenHash, hashToken(token)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, at)))
      .returning({ userId: signInLinks.userId }).get();
    const user = link && findUser(db, link.userId);
    return user && user.disabledAt === null ? user : undefined;
  }).immediate();
}

/** Whether a link secret is one that can still be used (the page before the button). */
export function signInLinkUsable(db: Db, token: string, now: Date): boolean {
  const link = db.select().from(signInLinks).where(eq(signInLinks.tokenHash, hashToken(token))).get();
  return link !== undefined && link.usedAt === null && link.expiresAt > now.toISOString();
}


/** Sessions of people: created at sign-in, ended by sign-out or after `idleMinutes` without use. */
export function sessionStore(db: Db, idleMinutes: number) {
  const idleMs = idleMinutes * 60_000;
  const find = db.select({ session: sessions, user: users }).from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, sql.placeholder('idHash'))).prepare();

  return {
    /** A new session for the user: the cookie's secret. */
    create(user: User, now: Date): string {
      const id = secret();
      const at = now.toISOString();
      db.insert(sessions).values({ idHash: hashToken(id), userId: user.id, csrf: secret(), createdAt: at, lastSeenAt: at }).run();
      return id;
    },

    /**
     * The session the cookie names, while it is in use; its idle clock restarts at every request,
     * stored exactly, so that it ends exactly `idleMinutes` after the last one (issue 29: it was
     * stored at most once a minute, and sessions ended up to a minute early).
     */
    get(id: string, now: Date): Session | undefined {
      const idHash = hashToken(id);
      const found = find.get({ idHash });
      if (!found) return undefined;
      const lastSeen = Date.parse(found.session.lastSeenAt);
      if (now.getTime() - lastSeen > idleMs || found.user.disabledAt !== null) {
        db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
        return undefined;
      }
      if (now.getTime() > lastSeen) {
        db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.idHash, idHash)).run();
      }
      return { user: found.user, csrf: found.session.csrf, purpose: found.session.purpose };
    },

    setPurpose(id: string, purpose: string): void {
      db.update(sessions).set({ purpose }).where(eq(sessions.idHash, hashToken(id))).run();
    },

    end(id: string): void {
      db.delete(sessions).where(eq(sessions.idHash, hashToken(id))).run();
    },

    /** Removes sessions idle too long (housekeeping). */
    prune(now: Date): number {
      const before = new Date(now.getTime() - idleMs).toISOString();
      return db.delete(sessions).where(lt(sessions.lastSeenAt, before)).run().changes;
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
