/** Console sessions on PostgreSQL (the idle rule: src/auth/sessions.ts). Only the SHA-256 of a session id is stored. */
import { randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import { sessions, users } from '../../../db/pg/schema.ts';
import { hashToken } from '../../auth/actors.ts';
import type { Session, User } from '../../auth/people.ts';
import type { Sessions } from '../port.ts';
import type { PgDb } from './client.ts';

const secret = (): string => randomBytes(32).toString('base64url');

export function pgSessions(db: PgDb, idleMinutes: number): Sessions {
  const idleMs = idleMinutes * 60_000;
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
      const lastSeen = Date.parse(found.session.lastSeenAt);
      if (now.getTime() - lastSeen > idleMs || found.user.disabledAt !== null) {
        await db.delete(sessions).where(eq(sessions.idHash, idHash));
        return undefined;
      }
      // Stored at every request, so the idle clock is exact (src/auth/users.ts).
      if (now.getTime() > lastSeen) {
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
      const before = new Date(now.getTime() - idleMs).toISOString();
      return (await db.delete(sessions).where(lt(sessions.lastSeenAt, before)).returning({ id: sessions.idHash })).length;
    },
  };
}
