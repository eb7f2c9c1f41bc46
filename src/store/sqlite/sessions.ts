/** Console sessions on SQLite (when one ends: src/auth/sessions.ts). Only the SHA-256 of a session id is stored. */
import { randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import { sessions, users } from '../../../db/schema.ts';
import { hashToken } from '../../auth/actors.ts';
import type { Session } from '../../auth/people.ts';
import { idleBefore, sessionAt } from '../../auth/sessions.ts';
import type { User } from '../rows.ts';
import type { Db } from './client.ts';

const secret = (): string => randomBytes(32).toString('base64url');

export function sessionStore(db: Db, idleMinutes: number) {
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

    /** The session the cookie names, while it is in use (src/auth/sessions.ts); its idle clock restarts now. */
    get(id: string, now: Date): Session | undefined {
      const idHash = hashToken(id);
      const found = find.get({ idHash });
      if (!found) return undefined;
      const at = sessionAt(found.session.lastSeenAt, found.user, now, idleMinutes);
      if (at === 'ended') {
        db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
        return undefined;
      }
      if (at === 'touched') {
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
      return db.delete(sessions).where(lt(sessions.lastSeenAt, idleBefore(now, idleMinutes))).run().changes;
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
