/**
 * People and their one-time sign-in links on SQLite (the rules: src/auth/people.ts). Link secrets
 * are 256 random bits; only their SHA-256 is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { User } from '../rows.ts';
import { DuplicateEmail, normaliseEmail, SIGN_IN_LINK_MINUTES, type NewUser, type PersonChange } from '../../auth/people.ts';

const secret = (): string => randomBytes(32).toString('base64url');
import { sessions, signInLinks, users } from '../../../db/schema.ts';
import { auditAdministration } from './clients.ts';
import { CLI_OPERATOR, hashToken, type Operator } from '../../auth/actors.ts';

export function createUser(db: Db, user: NewUser, now: Date, operator: Operator = CLI_OPERATOR): User {
  const row: User = {
    id: randomUUID(), ...user, email: normaliseEmail(user.email), createdAt: now.toISOString(), disabledAt: null, notices: 'instant',
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

export function enableUser(db: Db, id: string, now: Date, operator: Operator = CLI_OPERATOR): boolean {
  const at = now.toISOString();
  return db.$client.transaction(() => {
    const result = db.update(users).set({ disabledAt: null }).where(and(eq(users.id, id), isNotNull(users.disabledAt))).run();
    if (result.changes !== 1) return false;
    auditAdministration(db, operator, 'user_enabled', at, { userId: id });
    return true;
  }).immediate();
}

/** A new role or organisation; the person's sessions end, so that they sign in again as what they now are. */
export function changeUser(db: Db, id: string, change: PersonChange, now: Date, operator: Operator = CLI_OPERATOR): User | undefined {
  const at = now.toISOString();
  return db.$client.transaction(() => {
    const user = findUser(db, id);
    if (!user) return undefined;
    const next = { role: change.role ?? user.role, organisation: change.organisation ?? user.organisation };
    if (next.role === user.role && next.organisation === user.organisation) return user;
    db.update(users).set(next).where(eq(users.id, id)).run();
    db.delete(sessions).where(eq(sessions.userId, id)).run();
    auditAdministration(db, operator, 'user_changed', at, { userId: id, ...next });
    return { ...user, ...next };
  }).immediate();
}

export function setUserNotices(db: Db, id: string, notices: User['notices']): boolean {
  return db.update(users).set({ notices }).where(eq(users.id, id)).run().changes === 1;
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
