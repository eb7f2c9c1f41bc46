/**
 * The store's interface: everything the service asks of its database, written out. Two adapters
 * implement it, SQLite (src/store/sqlite) and PostgreSQL (src/store/postgres); `openStore`
 * (open.ts) is the one place that picks one. Nothing above this interface knows which store it
 * runs on, and the contract suite (test/store/contract.test.ts) holds both adapters to the same
 * answers.
 *
 * Every method answers a promise, because PostgreSQL's driver is asynchronous; on SQLite a call
 * still does its work when it is made, so that its transactions and the group commit keep their
 * order.
 */
import type { AccessAction, AccessQuery } from '../audit/access-log.ts';
import type { VerifyResult } from '../audit/audit-contract.ts';
import type { Actor, NewClient, Operator } from '../auth/actors.ts';
import type { NewUser, PersonChange, Session } from '../auth/people.ts';
import type { CaseScope } from '../cases/access.ts';
import type { CaseView } from '../cases/case-view.ts';
import type { Pruned } from '../housekeeping.ts';
import type { RegionSettings, RegionUpdate } from '../regions/region-settings.ts';
import type { Period } from '../reports/period.ts';
import type { NewOffer, Offer, WaitingTime, WaitingTimeReport } from '../offers/offers.ts';
import type { ResolvedOffer } from '../../machines/referral.supply.ts';
import type { SupplyRows } from '../reports/supply-raw.ts';
import type { RawFigures, ReportScope } from '../reports/signalering-raw.ts';
import type {
  AccessEntry, AuditEntry, CaseRow, ClientRow, ListedNote, OutboxEntry, StoredCaseEvent, User,
} from './rows.ts';

export type * from './rows.ts';

/** The one place a case changes: a submission, an event, a deadline that passed. */
export interface CaseEngine {
  /** `idempotencyKey`: the checked Idempotency-Key header (§5.6), when sent. */
  submit(actor: Actor, body: unknown, idempotencyKey?: string): Promise<CaseView>;
  applyEvent(actor: Actor, request: EventRequest): Promise<CaseView>;
  /** Fires one due timer through the statechart, as the system. */
  fireTimer(seq: number): Promise<TimerOutcome>;
  /**
   * Settles up to `limit` timers due by now, each in its own transaction. A timer that fails is
   * rolled back, reported to `onError` and left pending; the others still fire. `settled` counts
   * the timers that are no longer pending (fired, stale, or of a case that is gone).
   */
  fireDueTimers(limit?: number, onError?: (seq: number, error: unknown) => void): Promise<{ settled: number; fired: number }>;
}

export interface EventRequest {
  caseId: string;
  body: unknown;
  /** The raw If-Match header, when sent. */
  ifMatch?: string;
  /** The checked Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

/** What became of a timer: fired, stale (its case moved on: cancelled), or its case is gone. */
export type TimerOutcome = 'fired' | 'stale' | 'gone';

export interface CaseFilter {
  state?: string;
  overdue?: boolean;
  municipality?: string;
  /**
   * Only the cases this person is regisseur of (§6.3): while they are an active expert-team
   * person of the case's region (a disabled person's cases are without regisseur).
   */
  regisseur?: string;
  /** Only cases that are not closed. */
  open?: boolean;
  /** Only cases with seq below this (the cursor of the previous page). */
  beforeSeq?: number;
  limit: number;
}

export interface WorkFilter {
  state?: string;
  municipality?: string;
  overdue?: boolean;
  /** Submitted on or after / before (ISO date-times). */
  from?: string;
  to?: string;
  /** As CaseFilter's: the cases of this regisseur (§6.3); open: none closed. */
  regisseur?: string;
  open?: boolean;
  /** An overleg recorded youth or parents as not involved. */
  notInvolved?: boolean;
  /** Youth or parents disagreed with an advice. */
  familyDisagrees?: boolean;
  /** Closed after an advice without every help item started. */
  closedWithoutHelp?: boolean;
  escalated?: boolean;
  /**
   * The referrer's own reference contains this, case-insensitive (ASCII letters: SQLite and
   * PostgreSQL fold alike); `%` and `_` in it are matched as themselves.
   */
  reference?: string;
  limit: number;
}

/** A row of the console's work list. */
export interface WorkItem {
  id: string;
  state: string;
  municipality: string;
  createdAt: string;
  updatedAt: string;
  overdue: number;
  nextDue: string | null;
  /** The timer's name of the nearest open deadline (a commitment's: `commitment:<id>`). */
  nextDueName: string | null;
  /** From the report facts: how the case closed (the closure's event type, and CLOSE's outcome). */
  closureType: string | null;
  closureOutcome: string | null;
  reference: string | null;
  /** The regisseur (§6.3) while they are one: an active expert-team person of the region; else null. */
  regisseurId: string | null;
  regisseurName: string | null;
}

/** Reading cases; who may see what is decided above (src/cases/case-queries.ts). */
export interface CaseReads {
  find(id: string): Promise<CaseRow | undefined>;
  /** Newest first, within the scope. */
  list(scope: CaseScope, filter: CaseFilter & { now: string }): Promise<CaseRow[]>;
  /** Up to `limit` notes written before version `before`, newest first, with their version and author. */
  notes(caseId: string, limit: number, before?: number): Promise<ListedNote[]>;
  noteCount(caseId: string): Promise<number>;
  /** What is overdue first, then by the nearest open deadline, then newest. */
  worklist(scope: CaseScope, filter: WorkFilter & { now: string }): Promise<WorkItem[]>;
  /** The case's trail, in version order. */
  events(caseId: string): Promise<StoredCaseEvent[]>;
}

/** What the access log keeps of a request: its id, its route and the purpose stated. */
export interface RequestInfo {
  id: string;
  method: string;
  routeOptions: { url?: string };
  purpose?: string | null;
}

/** The NEN 7513 access log. */
export interface AccessLog {
  record(request: RequestInfo, actor: Actor, action: AccessAction, caseIds: readonly string[],
    outcome?: 'shown' | 'refused'): Promise<void>;
  /**
   * Of these case ids, those of the region's cases (`*`: of any region), each with the referrer's
   * own reference to show it by (null when it has none, or its file was erased).
   */
  ofRegion(region: string, caseIds: readonly string[]): Promise<Map<string, string | null>>;
  /**
   * Newest first; a regional reader sees its region's readers and reads of its region's cases
   * (`region` `*`: all).
   */
  list(region: string, query: AccessQuery): Promise<AccessEntry[]>;
}

export interface AuditReader {
  /** A case's entries, in their case order. */
  ofCase(caseId: string): Promise<AuditEntry[]>;
  /** How many entries of the region a verification result covers, and the head it reached. */
  regionView(region: string, result: VerifyResult): Promise<{ checked: number; head: string }>;
}

/** Audit verification, off the event loop. */
export interface AuditVerifier {
  /** `full`: from the first entry; else from where the last verification got to. */
  verify(full?: boolean): Promise<VerifyResult>;
  /** The last result; null while the first verification runs. */
  state(): VerifyResult | null;
  close(): Promise<void>;
}

export interface Clients {
  /** The active client a bearer token belongs to. */
  lookup(token: string): Promise<Actor | undefined>;
  list(): Promise<ClientRow[]>;
  /** A new client and its token (shown once), audited. */
  create(client: NewClient, now: Date, operator?: Operator): Promise<{ token: string; actor: Actor }>;
  /** False when no active client has that id. Audited. */
  revoke(id: string, now: Date, operator?: Operator): Promise<boolean>;
  /**
   * Notes that the client was used at `at` (its `lastUsedAt`), unless a use less than a minute
   * before is noted already. Callers throttle too (src/auth/last-use.ts): not a write per request.
   */
  used(id: string, at: Date): Promise<void>;
}

/** People and their one-time sign-in links (DESIGN §5.4). */
export interface People {
  /** Throws DuplicateEmail when the address is taken. Audited, without the address. */
  create(user: NewUser, now: Date, operator?: Operator): Promise<User>;
  /** Ends the person's sessions too; false when no active user has that id. Audited. */
  disable(id: string, now: Date, operator?: Operator): Promise<boolean>;
  /** Enables a disabled person again; false when no disabled user has that id. Audited. */
  enable(id: string, now: Date, operator?: Operator): Promise<boolean>;
  /** A new role or organisation (or both); the person as changed, undefined for no such user. Audited. */
  change(id: string, change: PersonChange, now: Date, operator?: Operator): Promise<User | undefined>;
  /** How the person gets e-mail notices (§6.3); false for no such user. */
  setNotices(id: string, notices: User['notices']): Promise<boolean>;
  /** The person with this id, active or not. */
  get(id: string): Promise<User | undefined>;
  /** By name; of one region, or all. */
  list(region?: string): Promise<User[]>;
  /** The active user with this address. */
  byEmail(email: string): Promise<User | undefined>;
  /** The user with this id, active or disabled (a regisseur, §6.3, is shown only while active). */
  byId(id: string): Promise<User | undefined>;
  /** A one-time link secret for an active user; undefined for no such user. */
  signInLink(userId: string, now: Date): Promise<string | undefined>;
  /** Uses a link up: the user it was for, once, while it is valid and the user active. */
  redeem(token: string, now: Date): Promise<User | undefined>;
  /** Whether a link secret can still be used (the page before the button). */
  linkUsable(token: string, now: Date): Promise<boolean>;
}

/** Console sessions, ended by sign-out or after the idle time (src/auth/sessions.ts). */
export interface Sessions {
  /** A new session for the user: the cookie's secret. */
  create(user: User, now: Date): Promise<string>;
  /** The session the cookie names while it is in use; its idle clock restarts now. */
  get(id: string, now: Date): Promise<Session | undefined>;
  setPurpose(id: string, purpose: string): Promise<void>;
  end(id: string): Promise<void>;
  /** Removes sessions idle too long; how many. */
  prune(now: Date): Promise<number>;
}

export interface Regions {
  get(id: string): Promise<RegionSettings>;
  /** Every region that has settings (a row), by id: the public list of expert teams (§6.4). */
  list(): Promise<{ id: string; settings: RegionSettings }[]>;
  /** Checked first (throws on an invalid value), then stored and audited. */
  set(id: string, update: RegionUpdate, now: Date, operator?: Operator): Promise<RegionSettings>;
}

/** The names of organisations (src/organisations/organisations.ts). */
export interface Organisations {
  /** Every organisation with a name, id → name (a short list: one line per team or provider). */
  names(): Promise<Map<string, string>>;
  /** Sets or changes one name, audited; checked first (throws InvalidOrganisation). */
  set(id: string, name: string, now: Date, operator?: Operator): Promise<void>;
}
/** Who delivers an outbox row: the region's webhook, or the mail deliverer (a notice to a person). */
export type Channel = 'webhook' | 'mail';

/** The notification outbox. */
export interface Outbox {
  /**
   * Pending notifications due by `now`, none of a region still being delivered, each leased until
   * `until` so that a crash mid-delivery retries it later (delivery is at least once). Only what
   * is durable is claimed: a notification never leaves before the write that made it is on disk.
   * Two instances never claim the same row. `channel`: the webhook notifications (the default) or
   * the e-mail notices.
   */
  claimDue(now: string, until: string, limit: number, busyRegions?: readonly string[], channel?: Channel): Promise<OutboxEntry[]>;
  record(seq: number, change: Partial<Pick<OutboxEntry, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' |
    'deliveredAt'>>): Promise<void>;
  /** Marks these skipped (their region has no webhook), in one transaction. */
  skip(seqs: readonly number[]): Promise<void>;
  /** Of one region, or (`*`) of all. */
  failed(region: string, limit: number): Promise<OutboxEntry[]>;
  /** Puts failed notifications (one, or all) back in the queue, due now; how many. */
  retryFailed(id: string | undefined, now: string): Promise<number>;
  byId(id: string): Promise<OutboxEntry | undefined>;
}

/** The signalering statements (never a case reference or text): raw figures for the report. */
export interface SignaleringReader {
  figures(scope: ReportScope, period: Period): Promise<RawFigures>;
  close(): Promise<void>;
}

/** Retention and erasure (R14, DESIGN §5.6). */
export interface Retention {
  /** The cases whose last change lies more than their region's retention period before `asOf`. */
  due(asOf: Date): Promise<string[]>;
  /** Destroys the content of every case due on `asOf`; `at` is when it happens. Their ids. */
  run(asOf: Date, at: Date, operator: Operator): Promise<string[]>;
  /** An erasure the law requires before the retention period ends; `reference`: the decision's number. */
  erase(id: string, at: Date, operator: Operator, reference?: string): Promise<boolean>;
}

/** The region's offers register (DESIGN §6.4); who may do what is decided above (src/offers/offers.ts). */
export interface Offers {
  /** A new offer of the region, audited. */
  create(region: string, offer: NewOffer, now: Date, operator: Operator): Promise<Offer>;
  /** The region's offers (of one provider, when named), by provider and name, each with its latest waiting time. */
  list(region: string, provider?: string): Promise<Offer[]>;
  find(id: string): Promise<Offer | undefined>;
  /** Every waiting time of the offer, latest first. */
  waitingTimes(id: string): Promise<WaitingTime[]>;
  /** A waiting time of the offer, audited; undefined when there is no such offer. */
  report(id: string, report: WaitingTimeReport, now: Date, operator: Operator): Promise<WaitingTime | undefined>;
  /** Of these ids, the region's offers with their latest waiting time; an id of none is missing. */
  resolve(region: string, ids: readonly string[]): Promise<Map<string, ResolvedOffer>>;
  /** The supply report's rows of a period (src/store/sql/supply.ts). */
  supply(region: string, period: Period): Promise<SupplyRows>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  engine: CaseEngine;
  reads: CaseReads;
  access: AccessLog;
  audit: AuditReader;
  verifier: AuditVerifier;
  clients: Clients;
  people: People;
  sessions: Sessions;
  regions: Regions;
  organisations: Organisations;
  outbox: Outbox;
  signalering: SignaleringReader;
  housekeeping: { run(): Promise<Pruned> };
  retention: Retention;
  offers: Offers;
  /** True when the store answers; throws when it has lost writes and must be restarted. */
  ping(): Promise<boolean>;
  /**
   * Settles once every write made so far is durable (on disk), or undefined when there is nothing
   * to wait for. An answer that reports a write waits for it.
   */
  durable(): Promise<void> | undefined;
  /** Stops the store's background work and closes its connections. */
  close(): Promise<void>;
}
