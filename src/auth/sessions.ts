/**
 * When a console session ends (DESIGN §5.4), the same on both stores: after `idleMinutes` without
 * a request, or at once when its person is disabled. The idle clock restarts at every request and
 * is stored exactly, so a session ends exactly `idleMinutes` after the last one.
 */
import type { User } from '../store/rows.ts';

/** What a request does to a session last seen at `lastSeenAt`. */
export function sessionAt(lastSeenAt: string, user: Pick<User, 'disabledAt'>, now: Date, idleMinutes: number):
  'ended' | 'touched' | 'unchanged' {
  const lastSeen = Date.parse(lastSeenAt);
  if (now.getTime() - lastSeen > idleMinutes * 60_000 || user.disabledAt !== null) return 'ended';
  return now.getTime() > lastSeen ? 'touched' : 'unchanged';
}

/** Sessions last seen before this have ended (housekeeping prunes them). */
export const idleBefore = (now: Date, idleMinutes: number): string => new Date(now.getTime() - idleMinutes * 60_000).toISOString();
