/**
 * The services the routes, the console and the scheduler use, built once from the store (DESIGN
 * §5.5): nothing above this file knows whether it runs on the SQLite file or on PostgreSQL, and
 * none of it takes the database. Every service is asynchronous, because PostgreSQL is; on SQLite
 * each call still does its work synchronously when it is made (`asAsync`), so the group commit of
 * the turn's writes (src/db/group-commit.ts) and the engine's transactions work as before.
 *
 * Built for SQLite here; for PostgreSQL in src/pg/services.ts (`postgresServices`).
 */
import type { Db } from './client.ts';
import { accessLogRepository } from './access-log.ts';
import { auditTrail } from './audit.ts';
import { auditVerifier, type AuditVerifier } from './verifier.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import { clientLookup, listClients } from './clients.ts';
import {
  createSignInLink, createUser, disableUser, findUserByEmail, listUsers, redeemSignInLink, sessionStore,
  signInLinkUsable,
} from './people.ts';
import { caseEngine, type CaseEngine } from './engine.ts';
import { caseQueries } from '../../cases/case-queries.ts';
import { caseRepository } from './reads.ts';
import type { Clock } from '../../clock.ts';
import { groupCommit, type GroupCommit, type WalSync } from './group-commit.ts';
import { housekeeping } from './housekeeping.ts';
import { outboxRepository } from './outbox.ts';
import { webhookDeliverer } from '../../notifications/webhook-deliverer.ts';
import { regionSettings } from './regions.ts';
import { signaleringService } from '../../reports/signalering.ts';
import { signaleringReader } from './signalering.ts';
import type { FastifyBaseLogger } from 'fastify';

/** The same object with every method answering a promise. */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/**
 * A synchronous service as an asynchronous one. Each call runs at once, as before; only its
 * answer (or its error) arrives as a promise.
 */
export function asAsync<T extends object>(service: T): Async<T> {
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.keys(service)) {
    const value = (service as Record<string, unknown>)[key];
    wrapped[key] = typeof value !== 'function' ? value : (...args: unknown[]) => {
      try {
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(service, args));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return wrapped as Async<T>;
}

export type Engine = Async<CaseEngine>;
export type Queries = ReturnType<typeof caseQueries>;
export type AccessLog = Async<ReturnType<typeof accessLogRepository>>;
export type AuditReader = Async<Pick<ReturnType<typeof auditTrail>, 'ofCase' | 'regionView'>>;
export type Regions = Async<Pick<ReturnType<typeof regionSettings>, 'get'>>;
export type Outbox = Async<ReturnType<typeof outboxRepository>>;
export type Sessions = Async<ReturnType<typeof sessionStore>>;

/** People and their sign-in links (DESIGN §5.4); sessions are `sessions`. */
export interface People {
  create: (...args: DropFirst<Parameters<typeof createUser>>) => Promise<ReturnType<typeof createUser>>;
  disable: (...args: DropFirst<Parameters<typeof disableUser>>) => Promise<boolean>;
  list: (region?: string) => Promise<ReturnType<typeof listUsers>>;
  byEmail: (email: string) => Promise<ReturnType<typeof findUserByEmail>>;
  signInLink: (...args: DropFirst<Parameters<typeof createSignInLink>>) => Promise<string | undefined>;
  redeem: (...args: DropFirst<Parameters<typeof redeemSignInLink>>) => Promise<ReturnType<typeof redeemSignInLink>>;
  linkUsable: (...args: DropFirst<Parameters<typeof signInLinkUsable>>) => Promise<boolean>;
}
type DropFirst<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

export interface Services {
  readonly store: 'sqlite' | 'postgres';
  engine: Engine;
  queries: Queries;
  access: AccessLog;
  audit: AuditReader;
  /** Audit verification off the event loop; `state()` is the last result (null while the first runs). */
  verifier: AuditVerifier & { state(): VerifyResult | null };
  clients: { lookup(token: string): Promise<ReturnType<ReturnType<typeof clientLookup>>>; list(): Promise<ReturnType<typeof listClients>> };
  people: People;
  sessions: Sessions;
  regions: Regions;
  outbox: Outbox;
  signalering: ReturnType<typeof signaleringService>;
  /** The scheduler's work: the webhook deliverer and housekeeping. */
  deliverer: ReturnType<typeof webhookDeliverer>;
  housekeeping: Async<ReturnType<typeof housekeeping>>;
  /** True when the store answers. */
  ping(): Promise<boolean>;
  /** The group commit on SQLite, when on: the answers wait for it (src/app.ts). */
  commits: GroupCommit | null;
  close(): Promise<void>;
}

/** People and sign-in links on the SQLite store. */
export function sqlitePeople(db: Db): People {
  return asAsync({
    create: (...args: DropFirst<Parameters<typeof createUser>>) => createUser(db, ...args),
    disable: (...args: DropFirst<Parameters<typeof disableUser>>) => disableUser(db, ...args),
    list: (region?: string) => listUsers(db, region),
    byEmail: (email: string) => findUserByEmail(db, email),
    signInLink: (...args: DropFirst<Parameters<typeof createSignInLink>>) => createSignInLink(db, ...args),
    redeem: (...args: DropFirst<Parameters<typeof redeemSignInLink>>) => redeemSignInLink(db, ...args),
    linkUsable: (...args: DropFirst<Parameters<typeof signInLinkUsable>>) => signInLinkUsable(db, ...args),
  });
}

export interface SqliteOptions {
  groupCommit?: boolean;
  /** How the group commit syncs the WAL (group-commit.ts); tests make it fail. */
  syncWal?: WalSync;
  sessionIdleMinutes?: number;
  logger?: FastifyBaseLogger;
}

export function sqliteServices(db: Db, clock: Clock, options: SqliteOptions = {}): Services {
  // Group commit (src/db/group-commit.ts): the writes of one turn share a COMMIT.
  const commits = options.groupCommit === false ? null : groupCommit(db.$client, { syncWal: options.syncWal });
  const engine = caseEngine(db, clock);
  // The writes of the service go through the batches, the scheduler's, the deliverer's and the
  // access log's too (sessions and the command line keep their own transactions):
  // on its own, each of their transactions would fsync on the event loop (synchronous FULL), and a
  // round of due deadlines one fsync per deadline, while every request waited.
  const batched: CaseEngine = commits ? {
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
  const signalering = signaleringService(signaleringReader(db), clock);
  const lookup = clientLookup(db);
  const ping = db.$client.prepare('SELECT 1 AS ok').pluck();
  const accessLog = accessLogRepository(db, clock);
  const outboxWrites = outboxRepository(db);
  const outbox = {
    ...asAsync(outboxWrites),
    claimDue: (...args: Parameters<typeof outboxWrites.claimDue>) => durably(() => outboxWrites.claimDue(...args)),
    record: (...args: Parameters<typeof outboxWrites.record>) => durably(() => outboxWrites.record(...args)),
    skip: (...args: Parameters<typeof outboxWrites.skip>) => durably(() => outboxWrites.skip(...args)),
  };
  const regions = asAsync(regionSettings(db));
  return {
    store: 'sqlite',
    engine: {
      ...asAsync(batched),
      fireTimer: (...args: Parameters<CaseEngine['fireTimer']>) => durably(() => engine.fireTimer(...args)),
      fireDueTimers: (...args: Parameters<CaseEngine['fireDueTimers']>) => durably(() => engine.fireDueTimers(...args)),
    },
    queries: caseQueries(asAsync(caseRepository(db)), clock),
    // A read is logged (NEN 7513) in the batch of its turn: its answer waits for that batch's sync,
    // as before it waited for the log's own COMMIT and fsync on the event loop.
    // (A refused read is logged from an onSend hook that runs after the hook that waits for the
    // batch: so the record itself waits.)
    access: {
      ...asAsync(accessLog),
      record: (...args: Parameters<typeof accessLog.record>) => durably(() => accessLog.record(...args)),
    },
    audit: asAsync(auditTrail(db)),
    verifier: Object.assign(verifier, { state: () => auditState }),
    clients: asAsync({ lookup, list: () => listClients(db) }),
    people: sqlitePeople(db),
    sessions: asAsync(sessionStore(db, options.sessionIdleMinutes ?? 30)),
    regions,
    outbox,
    signalering,
    // A notification leaves the process only once the batch that wrote it is on disk, as an answer does.
    deliverer: webhookDeliverer({
      box: { ...outbox, claimDue: async (...args) => { await commits?.settled(); return outbox.claimDue(...args); } },
      regions,
    }, clock, options.logger),
    housekeeping: asAsync(housekeeping(db, clock)),
    ping: async () => {
      // A WAL that could not be synced (group-commit.ts) makes the service unavailable until restarted.
      const lost = commits?.lost();
      if (lost) throw lost;
      return ping.get() === 1;
    },
    commits,
    async close() {
      await verifier.close();
      await signalering.close();
      await commits?.close();
    },
  };
}
