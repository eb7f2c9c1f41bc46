/**
 * When an API client was last used, for Beheer (§6.3), kept cheaply: the store is written at most
 * once a minute per client and process (and the store's UPDATE skips a row noted less than a
 * minute before, for several instances), never once per request. The write does not hold up the
 * request it notes.
 */
import type { FastifyBaseLogger } from 'fastify';

export const LAST_USE_RESOLUTION_MS = 60_000;

/** How many clients the in-memory throttle remembers before it starts afresh. */
const REMEMBERED = 10_000;

export function lastUseTracker(used: (id: string, at: Date) => Promise<void>, now: () => Date, logger?: FastifyBaseLogger) {
  const noted = new Map<string, number>();
  return (clientId: string): void => {
    const at = now();
    const last = noted.get(clientId);
    if (last !== undefined && at.getTime() - last < LAST_USE_RESOLUTION_MS) return;
    if (noted.size >= REMEMBERED) noted.clear();
    noted.set(clientId, at.getTime());
    used(clientId, at).catch((err: unknown) => logger?.warn({ err }, 'could not note the client\'s last use'));
  };
}
