/**
 * The SQLite adapter of the store (port.ts), on one database file (or in memory, for tests).
 *
 * better-sqlite3 is synchronous: each call still does its work when it is made (`asAsync`), so
 * the engine's transactions keep their order, and only the answer arrives as a promise. With the
 * group commit (group-commit.ts) the writes of one turn of the event loop share one COMMIT and
 * one fsync; `durable()` is that batch's sync, which every answer that reports a write waits for.
 */
import type { Logger } from 'pino';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type {
  AccessLog, AuditReader, CaseEngine, CaseReads, Clients, Offers, Outbox, People, Regions, Retention, Sessions, Store,
} from '../port.ts';
import { accessLogRepository } from './access-log.ts';
import { auditTrail } from './audit.ts';
import type { Db } from './client.ts';
import { clientLookup, clientUse, createClient, listClients, revokeClient } from './clients.ts';
import { caseEngine, type SyncCaseEngine } from './engine.ts';
import { groupCommit, type GroupCommit, type WalSync } from './group-commit.ts';
import { housekeeping } from './housekeeping.ts';
import { offerRepository } from './offers.ts';
import { outboxRepository } from './outbox.ts';
import {
  changeUser, createSignInLink, createUser, disableUser, enableUser, findUser, findUserByEmail, listUsers, redeemSignInLink,
  setUserNotices, signInLinkUsable,
} from './people.ts';
import { caseRepository } from './reads.ts';
import { organisationNames } from './organisations.ts';
import { regionSettings } from './regions.ts';
import { retention } from './retention.ts';
import { sessionStore } from './sessions.ts';
import { signaleringReader } from './signalering.ts';
import { auditVerifier } from './verifier.ts';

/** The same object with every method answering a promise. */
type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/** A synchronous service as an asynchronous one: each call runs at once; its answer (or error) comes as a promise. */
export function asAsync<T extends object>(service: T): Async<T> {
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.keys(service)) {
    const value = (service as Record<string, unknown>)[key];
    wrapped[key] = typeof value !== 'function' ? value : (...args: unknown[]) => {
      try {
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(service, args));
      } catch (error) {
        // The call's own error, as it would have thrown it.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as above
        return Promise.reject(error);
      }
    };
  }
  return wrapped as Async<T>;
}

export interface SqliteStoreOptions {
  /** On unless false: the writes of one turn share a COMMIT (group-commit.ts). */
  groupCommit?: boolean;
  /** How the group commit syncs the WAL; tests make it fail. */
  syncWal?: WalSync;
  sessionIdleMinutes?: number;
  /** Where the group commit's figures go when the store closes. */
  logger?: Pick<Logger, 'info'>;
  /** Run after the store's own work has stopped: the opener closes what it opened. */
  onClose?: () => Promise<void> | void;
}

/** The SQLite store; `commits` is its group commit, for the tests and the bench that measure it. */
export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  readonly db: Db;
  readonly commits: GroupCommit | null;
}

/** People and sign-in links on one SQLite database (also the command line's). */
export function sqlitePeople(db: Db): People {
  return asAsync({
    create: (...args: DropFirst<Parameters<typeof createUser>>) => createUser(db, ...args),
    disable: (...args: DropFirst<Parameters<typeof disableUser>>) => disableUser(db, ...args),
    enable: (...args: DropFirst<Parameters<typeof enableUser>>) => enableUser(db, ...args),
    change: (...args: DropFirst<Parameters<typeof changeUser>>) => changeUser(db, ...args),
    setNotices: (...args: DropFirst<Parameters<typeof setUserNotices>>) => setUserNotices(db, ...args),
    get: (id: string) => findUser(db, id),
    list: (region?: string) => listUsers(db, region),
    byEmail: (email: string) => findUserByEmail(db, email),
    byId: (id: string) => findUser(db, id),
    signInLink: (...args: DropFirst<Parameters<typeof createSignInLink>>) => createSignInLink(db, ...args),
    redeem: (...args: DropFirst<Parameters<typeof redeemSignInLink>>) => redeemSignInLink(db, ...args),
    linkUsable: (...args: DropFirst<Parameters<typeof signInLinkUsable>>) => signInLinkUsable(db, ...args),
  });
}
type DropFirst<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

export function sqliteStore(db: Db, clock: Clock = systemClock, options: SqliteStoreOptions = {}): SqliteStore {
  const commits = options.groupCommit === false ? null : groupCommit(db.$client, { syncWal: options.syncWal });
  const engine = caseEngine(db, clock);
  // The service's writes go through the batches, the scheduler's, the deliverer's and the access
  // log's too (sessions and the command line keep their own transactions): on its own, each of
  // their transactions would fsync on the event loop, and a round of due deadlines one fsync per
  // deadline, while every request waited.
  const batched: SyncCaseEngine = commits ? {
    ...engine,
    submit: (...args) => commits.write(() => engine.submit(...args)),
    applyEvent: (...args) => commits.write(() => engine.applyEvent(...args)),
  } : engine;
  /**
   * A write of a background writer in the batch of its turn, returned once that batch is synced;
   * a batch that fails rejects it (a round of deadlines that cannot be committed must fail, not
   * report timers settled that the failed COMMIT took back, and be tried again forever).
   */
  const durably = async <T>(write: () => T): Promise<T> => {
    if (!commits) return write();
    const result = commits.write(write);
    await commits.settled();
    return result;
  };
  let auditState: VerifyResult | null = null;
  const verifier = auditVerifier(db, (result) => { auditState = result; });
  const signalering = signaleringReader(db);
  const lookup = clientLookup(db);
  const ping = db.$client.prepare('SELECT 1 AS ok').pluck();
  const accessLog = accessLogRepository(db, clock);
  const outboxWrites = outboxRepository(db);
  const outbox: Outbox = {
    ...asAsync(outboxWrites),
    // A notification leaves the process only once the batch that wrote it is on disk, as an answer does.
    claimDue: async (...args) => {
      await commits?.settled();
      return durably(() => outboxWrites.claimDue(...args));
    },
    record: (...args) => durably(() => outboxWrites.record(...args)),
    skip: (...args) => durably(() => outboxWrites.skip(...args)),
  };
  const caseEngineOf: CaseEngine = {
    ...asAsync(batched),
    fireTimer: (...args) => durably(() => engine.fireTimer(...args)),
    fireDueTimers: (...args) => durably(() => engine.fireDueTimers(...args)),
  };
  // A read is logged (NEN 7513) in the batch of its turn: its answer waits for that batch's sync.
  const access: AccessLog = {
    ...asAsync(accessLog),
    record: (...args) => durably(() => accessLog.record(...args)),
  };
  const clients: Clients = asAsync({
    lookup, list: () => listClients(db), used: clientUse(db),
    create: (...args: DropFirst<Parameters<typeof createClient>>) => createClient(db, ...args),
    revoke: (...args: DropFirst<Parameters<typeof revokeClient>>) => revokeClient(db, ...args),
  });
  const reads: CaseReads = asAsync(caseRepository(db));
  const audit: AuditReader = asAsync(auditTrail(db));
  const regions: Regions = asAsync(regionSettings(db));
  const sessions: Sessions = asAsync(sessionStore(db, options.sessionIdleMinutes ?? 30));
  const kept = retention(db);
  // An erasure rewrites the file (VACUUM), which cannot run inside the open batch: the writes
  // before it are committed first.
  const files: Retention = {
    due: async (...args) => kept.due(...args),
    run: async (...args) => { await commits?.settled(); return kept.run(...args); },
    erase: async (...args) => { await commits?.settled(); return kept.erase(...args); },
  };
  return {
    kind: 'sqlite',
    db,
    commits,
    engine: caseEngineOf,
    reads,
    access,
    audit,
    verifier: { ...verifier, state: () => auditState },
    clients,
    people: sqlitePeople(db),
    sessions,
    regions,
    organisations: asAsync(organisationNames(db)),
    outbox,
    signalering,
    housekeeping: asAsync(housekeeping(db, clock)),
    retention: files,
    offers: asAsync(offerRepository(db)) as Offers,
    ping: async () => {
      // A WAL that could not be synced (group-commit.ts) makes the service unavailable until restarted.
      const lost = commits?.lost();
      if (lost) throw lost;
      return ping.get() === 1;
    },
    durable: () => commits?.settled() ?? undefined,
    async close() {
      try {
        await verifier.close();
        await signalering.close();
        await commits?.close();
      } finally {
        // How long the disk took to make the batches durable, which every write's answer waited for.
        if (commits) options.logger?.info(commits.stats(), 'group commit');
        await options.onClose?.();
      }
    },
  };
}
