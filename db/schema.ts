/**
 * The tables of passend's store, defined once: this is the SQLite schema, and the PostgreSQL
 * schema (db/pg/schema.ts) is generated from it (`npm run db:pg-schema`, db/pg-schema.ts). Times
 * are ISO 8601 UTC strings; JSON columns hold the statechart snapshot and event payloads, as text.
 * Migrations in db/migrations are generated from this file by drizzle-kit (`npm run db:generate`,
 * then `npm run db:generate:pg` for PostgreSQL's); triggers that drizzle cannot express live in
 * the custom migrations beside them.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const apiClients = sqliteTable('api_clients', {
  id: text('id').primaryKey(),
  /** SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough and lookups stay cheap. */
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ['local_team', 'expert_team', 'inspector', 'admin', 'municipality', 'provider'] }).notNull(),
  organisation: text('organisation').notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at'),
  /** When the client was last used, to the minute at best: written at most once a minute per client. */
  lastUsedAt: text('last_used_at'),
});

/**
 * Per-region settings. A NULL duration means the default of DESIGN §3 (machines/referral.deadlines.ts).
 * Changes apply to deadlines armed after them; armed deadlines keep their due time.
 */
export const regions = sqliteTable('regions', {
  id: text('id').primaryKey(),
  bridgingThresholdWeeks: integer('bridging_threshold_weeks').notNull().default(0),
  triage: text('triage'),
  triageUrgent: text('triage_urgent'),
  overleg: text('overleg'),
  checkpoint: text('checkpoint'),
  reassessment: text('reassessment'),
  /** How long an escalation may stay unanswered (§5.3); NULL: the default P21D. */
  /** How long after the overleg the advice is due (§6.1); NULL: the default P14D. */
  advice: text('advice'),
  escalation: text('escalation'),
  /** How long a file is kept after its last change (R14, §5.6); NULL: the default P20Y. */
  retention: text('retention'),
  /**
   * How long fired or cancelled timers and delivered notifications are kept before they are
   * pruned; NULL: the default P30D.
   */
  housekeeping: text('housekeeping'),
  /** Where notifications of this region's cases go; NULL: nowhere. */
  webhookUrl: text('webhook_url'),
  /** HMAC-SHA256 key for the webhook's signature header. */
  webhookSecret: text('webhook_secret'),
  /** The region's municipalities as a JSON array of CBS codes; NULL: any municipality in force. */
  municipalities: text('municipalities'),
  /**
   * How the public reaches the region's expert team (§6.4, `/expertteams`): its name, phone,
   * e-mail and how to refer to it; NULL: not given.
   */
  teamName: text('team_name'),
  phone: text('phone'),
  email: text('email'),
  howToRefer: text('how_to_refer'),
  /** The region's norm for a waiting time, in weeks (§6.4 supply report); NULL: none set. */
  waitingNorm: integer('waiting_norm'),
  updatedAt: text('updated_at').notNull(),
});

export const cases = sqliteTable(
  'cases',
  {
    /** Insertion order: the B-tree key and the list cursor; `id` is the public random UUID. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    state: text('state').notNull(),
    version: integer('version').notNull(),
    machineVersion: text('machine_version').notNull(),
    region: text('region').notNull(),
    organisation: text('organisation').notNull(),
    municipality: text('municipality').notNull(),
    snapshot: text('snapshot').notNull(),
    /** 1 while an open deadline has passed (kept from the snapshot for GET /cases?overdue=true). */
    overdue: integer('overdue').notNull().default(0),
    /**
     * The regisseur's user id (§6.3), kept from the snapshot like `overdue`, for
     * GET /cases?regisseur= and mijn werk; NULL when the case has none. Whether that person is
     * still active and of the expert team is read from `users` when it is shown.
     */
    regisseur: text('regisseur'),
    /**
     * What the signalering report counts, as JSON (machines/referral.facts.ts), written with the
     * snapshot. NULL only between a migration that adds or resets it and the start-up that fills it.
     */
    facts: text('facts'),
    /**
     * When the file's content was destroyed (retention, or an erasure the law requires): the
     * snapshot is then empty, the trail keeps only what the figures count, and the case answers 410.
     */
    erasedAt: text('erased_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('cases_region_seq').on(t.region, t.seq),
    index('cases_organisation_seq').on(t.organisation, t.seq),
    index('cases_overdue').on(t.overdue).where(sql`overdue = 1`),
    // A regisseur's cases, newest first, within the region (§6.3).
    index('cases_region_regisseur_seq').on(t.region, t.regisseur, t.seq).where(sql`regisseur IS NOT NULL`),
    // Empty once filled: start-up finds the cases without facts without reading the table.
    index('cases_facts_missing').on(t.seq).where(sql`facts IS NULL`),
  ],
);

/** Trail entry types the signalering report reads by period. */
const REPORTED_EVENT_TYPES = ['DEADLINE_PASSED', 'ESCALATE', 'UPDATE_HELP_ITEM'] as const;

export const caseEvents = sqliteTable(
  'case_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    caseId: text('case_id').notNull().references(() => cases.id),
    version: integer('version').notNull(),
    type: text('type').notNull(),
    at: text('at').notNull(),
    actorRole: text('actor_role').notNull(),
    actorOrganisation: text('actor_organisation'),
    actorName: text('actor_name').notNull(),
    actorClientId: text('actor_client_id'),
    payload: text('payload').notNull(),
    state: text('state').notNull(),
  },
  (t) => [
    uniqueIndex('case_events_case_version').on(t.caseId, t.version),
    // A case's notes, newest first, without walking the rest of its trail (the case view shows
    // the latest ones; GET /cases/{id}/notes pages through them).
    index('case_events_notes').on(t.caseId, t.version).where(sql`type = 'ADD_NOTE'`),
    // The report reads these facts by period (src/store/sql/signalering.ts). Partial: rows of other types,
    // the bulk of the trail, add nothing to write.
    ...REPORTED_EVENT_TYPES.map((type) =>
      index(`case_events_${type.toLowerCase()}_at`).on(t.at).where(sql.raw(`type = '${type}'`))),
  ],
);

/**
 * Durable timers: the delayed raises of the statechart, one row per armed deadline. Written in
 * the same transaction as the event that armed or cancelled them; the scheduler fires a due one
 * through the engine and marks it fired in that same transaction, so it fires exactly once.
 */
export const timers = sqliteTable(
  'timers',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    caseId: text('case_id').notNull().references(() => cases.id),
    name: text('name').notNull(),
    dueAt: text('due_at').notNull(),
    /** The event the machine raises when the timer fires (JSON). */
    event: text('event').notNull(),
    status: text('status', { enum: ['pending', 'fired', 'cancelled'] }).notNull(),
    armedAt: text('armed_at').notNull(),
    settledAt: text('settled_at'),
  },
  (t) => [
    index('timers_pending_due').on(t.dueAt).where(sql`status = 'pending'`),
    uniqueIndex('timers_pending_case_name').on(t.caseId, t.name).where(sql`status = 'pending'`),
  ],
);

/** What the outbox carries: webhook notifications, and the e-mail notices to people (§6.3). */
export const NOTIFICATION_KINDS = ['state_changed', 'deadline_passed',
  'question_waiting', 'commitment_due', 'assigned', 'case_deadline_passed', 'overleg_planned'] as const;

/**
 * Notifications (state changes and passed deadlines), written in the same transaction as the
 * change, delivered afterwards to the region's webhook. They carry ids and states, never case
 * content.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Stable id, sent with every delivery attempt so a receiver can drop repeats. */
    id: text('id').notNull().unique(),
    caseId: text('case_id').notNull(),
    region: text('region').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    /**
     * For an e-mail notice: the id of the person it is for (their address is read when it is sent);
     * NULL: a notification for the region's webhook.
     */
    recipient: text('recipient'),
    payload: text('payload').notNull(),
    createdAt: text('created_at').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed', 'skipped'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    deliveredAt: text('delivered_at'),
  },
  (t) => [
    index('outbox_pending_next').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('outbox_region_status').on(t.region, t.status),
  ],
);

/**
 * The audit trail of every write (NEN 7513, IGJ): one entry per submission, event, passed
 * deadline and token change, in the same transaction as the write. Entries are chained twice:
 * per case (`prev_case_hash` → `case_hash`, so one case's exported trail verifies on its own)
 * and across the whole log (`prev_log_hash` → `log_hash`, so removing or inserting a whole
 * case's entries is found too). There is no foreign key to cases: the trail outlives the case
 * data. Triggers refuse UPDATE and DELETE.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    action: text('action', {
      enum: ['case_created', 'event_applied', 'deadline_passed', 'token_created', 'token_revoked',
        'region_updated', 'case_erased', 'user_created', 'user_disabled', 'organisation_updated', 'offer_registered',
        'waiting_time_reported', 'user_enabled', 'user_changed'],
    }).notNull(),
    caseId: text('case_id'),
    caseSeq: integer('case_seq'),
    actorRole: text('actor_role').notNull(),
    actorOrganisation: text('actor_organisation'),
    actorName: text('actor_name').notNull(),
    actorClientId: text('actor_client_id'),
    onBehalfOf: text('on_behalf_of'),
    eventType: text('event_type'),
    fromState: text('from_state'),
    toState: text('to_state'),
    machineVersion: text('machine_version'),
    payload: text('payload').notNull(),
    /**
     * SHA-256 of the payload, which the entry hash covers instead of the payload itself, so that
     * the payload can be destroyed and the chains still verify. NULL for entries written before
     * (their hash covers the payload; see entryHash in src/audit/audit-hash.ts).
     */
    payloadHash: text('payload_hash'),
    /** When the payload was destroyed with its case's content. */
    erasedAt: text('erased_at'),
    /** For a destroyed entry of the kind whose hash covered the payload: that hash, kept. */
    entryHash: text('entry_hash'),
    prevCaseHash: text('prev_case_hash'),
    caseHash: text('case_hash'),
    prevLogHash: text('prev_log_hash').notNull(),
    logHash: text('log_hash').notNull(),
  },
  (t) => [uniqueIndex('audit_log_case_seq').on(t.caseId, t.caseSeq)],
);

/**
 * NEN 7513 access log: every read of case data (case, list, trail, export, report) and every read
 * of the access log itself: who, when, on whose behalf, which cases, which action, which purpose.
 */
export const accessLog = sqliteTable(
  'access_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    requestId: text('request_id').notNull(),
    action: text('action').notNull(),
    /** The route asked for, e.g. GET /api/v1/cases/:id (never the query string). */
    route: text('route').notNull(),
    actorRole: text('actor_role').notNull(),
    actorOrganisation: text('actor_organisation').notNull(),
    actorName: text('actor_name').notNull(),
    actorClientId: text('actor_client_id').notNull(),
    actorRegion: text('actor_region').notNull(),
    purpose: text('purpose'),
    /** JSON array of the case ids the caller was shown. */
    caseIds: text('case_ids').notNull(),
    outcome: text('outcome').notNull(),
  },
  (t) => [index('access_log_at').on(t.at)],
);

/**
 * Idempotency keys (DESIGN §5.6): a client's retry of POST /cases or POST /cases/{id}/events with
 * the same `Idempotency-Key` gets the first answer again. Written in the transaction of the write
 * it answers, so a key exists exactly when its write does; kept 24 hours, then pruned.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    clientId: text('client_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the target and the canonical JSON of the body: another body is a reuse. */
    requestHash: text('request_hash').notNull(),
    caseId: text('case_id').notNull(),
    status: integer('status').notNull(),
    /** The answer's body (the case view as the client saw it). */
    response: text('response').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clientId, t.key] }),
    index('idempotency_keys_created_at').on(t.createdAt),
  ],
);

/**
 * People who sign in to the console (DESIGN §5.4). The role, organisation and region are those of
 * an API client; a person is matched by email when an OpenID Connect provider signs them in.
 */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  role: text('role', { enum: ['local_team', 'expert_team', 'inspector', 'admin', 'municipality', 'provider'] }).notNull(),
  organisation: text('organisation').notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  createdAt: text('created_at').notNull(),
  disabledAt: text('disabled_at'),
  /** E-mail notices (§6.3): one mail each, one digest a day, or none. */
  notices: text('notices', { enum: ['instant', 'daily', 'off'] }).notNull().default('instant'),
});

/** One-time sign-in links: only the SHA-256 of the secret is kept, and the link is used once. */
export const signInLinks = sqliteTable('sign_in_links', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
});

/**
 * Console sessions, kept in the database so that a restart or a second instance keeps them. The
 * cookie carries a random secret; the table holds its SHA-256. `csrf` is the form token of the
 * session; `purpose` the inspector's stated purpose for this sign-in.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id),
    csrf: text('csrf').notNull(),
    purpose: text('purpose'),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/**
 * The names of organisations (src/organisations/organisations.ts): people and clients act for an
 * organisation id; pages show its name from here, or the id where it has none.
 */
export const organisations = sqliteTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * The region's offers register (aanbod, DESIGN §6.4): what providers offer, of which kind, under
 * which laws, for which municipalities and ages. `laws` and `municipalities` are JSON arrays.
 */
export const offers = sqliteTable(
  'offers',
  {
    id: text('id').primaryKey(),
    region: text('region').notNull(),
    /** The provider's name or identifier: a provider's organisation equals it. */
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    laws: text('laws').notNull(),
    municipalities: text('municipalities').notNull(),
    minAge: integer('min_age'),
    maxAge: integer('max_age'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('offers_region_provider').on(t.region, t.provider)],
);

/** Waiting times of an offer over time, as the provider or the region's admin reported them. */
export const offerWaitingTimes = sqliteTable(
  'offer_waiting_times',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    offerId: text('offer_id').notNull().references(() => offers.id),
    weeks: integer('weeks').notNull(),
    /** The day the waiting time was measured (YYYY-MM-DD). */
    measuredAt: text('measured_at').notNull(),
    source: text('source', { enum: ['provider', 'region'] }).notNull(),
    reportedAt: text('reported_at').notNull(),
  },
  (t) => [index('offer_waiting_times_offer').on(t.offerId, t.measuredAt)],
);
