/**
 * The PostgreSQL adapter of the store (port.ts, DESIGN §5.5): any number of instances on one
 * database. Every write is its own transaction, durable at COMMIT, so `durable()` has nothing to
 * wait for.
 */
import type { Clock } from '../../clock.ts';
import type { Store } from '../port.ts';
import { pgAccessLog } from './access-log.ts';
import { pgAuditReader } from './audit.ts';
import type { PgDb } from './client.ts';
import { pgClients } from './clients.ts';
import { pgCaseEngine } from './engine.ts';
import { pgHousekeeping } from './housekeeping.ts';
import { pgOffers } from './offers.ts';
import { pgOutbox } from './outbox.ts';
import { pgPeople } from './people.ts';
import { pgCaseReads } from './reads.ts';
import { pgOrganisations } from './organisations.ts';
import { pgRegions } from './regions.ts';
import { pgRetention } from './retention.ts';
import { pgSessions } from './sessions.ts';
import { pgSignaleringReader } from './signalering.ts';
import { pgVerifier } from './verifier.ts';

export interface PgStoreOptions {
  sessionIdleMinutes?: number;
  /** Run after the store's own work has stopped; by default the pool is ended. */
  onClose?: () => Promise<void> | void;
}

/** The PostgreSQL store; `db` is its pool, for the tests that read it. */
export interface PgStore extends Store {
  readonly kind: 'postgres';
  readonly db: PgDb;
}

export function postgresStore(db: PgDb, clock: Clock, options: PgStoreOptions = {}): PgStore {
  const verifier = pgVerifier(db);
  const signalering = pgSignaleringReader(db);
  return {
    kind: 'postgres',
    db,
    engine: pgCaseEngine(db, clock),
    reads: pgCaseReads(db),
    access: pgAccessLog(db, clock),
    audit: pgAuditReader(db),
    verifier,
    clients: pgClients(db),
    people: pgPeople(db),
    sessions: pgSessions(db, options.sessionIdleMinutes ?? 30),
    regions: pgRegions(db),
    organisations: pgOrganisations(db),
    outbox: pgOutbox(db),
    signalering,
    housekeeping: pgHousekeeping(db, clock),
    retention: pgRetention(db),
    offers: pgOffers(db),
    async ping() {
      return (await db.$client.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok === 1;
    },
    durable: () => undefined,
    async close() {
      try {
        await verifier.close();
        await signalering.close();
      } finally {
        await (options.onClose ? options.onClose() : db.$client.end());
      }
    },
  };
}
