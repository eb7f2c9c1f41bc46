/** Console sessions on PostgreSQL (when one ends: src/auth/sessions.ts). Only the SHA-256 of a session id is stored. */
import { randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import { sessions, users } from '../../../db/pg/schema.ts';
import { hashToken } from '../../auth/actors.ts';
import type { Session, User } from '../../auth/people.ts';
import { idleBefore, sessionAt } from '../../auth/sessions.ts';
import type { Sessions } from '../port.ts';
import type { PgDb } from './client.ts';

const secret = (): string => randomBytes(32).toString('base64url');

export function pgSessions(db: PgDb, idleMinutes: number): Sessions {
  return {
    async create(user: User, now: Date) {
      const id = secret();
      const at = now.toISOString();
      await db.insert(sessions).values({ idHash: hashToken(id), userId: user.id, csrf: secret(), createdAt: at, lastSeenAt: at });
      return id;
    },
    async get(id: string, now: Date): Promise<Session | undefined> {
      const idHash = hashToken(id);
      const [found] = await db.select({ session: sessions, user: users }).from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.idHash, idHash));
      if (!found) return undefined;
      const at = sessionAt(found.session.lastSeenAt, found.user, now, idleMinutes);
      if (at === 'ended') {
        await db.delete(sessions).where(eq(sessions.idHash, idHash));
        return undefined;
      }
      if (at === 'touched') {
        await db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.idHash, idHash));
      }
      return { user: found.user, csrf: found.session.csrf, purpose: found.session.purpose };
    },
    async setPurpose(id: string, purpose: string) {
      await db.update(sessions).set({ purpose }).where(eq(sessions.idHash, hashToken(id)));
    },
    async end(id: string) {
      await db.delete(sessions).where(eq(sessions.idHash, hashToken(id)));
    },
    async prune(now: Date) {
      const ended = await db.delete(sessions).where(lt(sessions.lastSeenAt, idleBefore(now, idleMinutes)))
        .returning({ id: sessions.idHash });
      return ended.length;
    },
  };
}
