/**
 * The drizzle schema of passend's PostgreSQL store (DESIGN §5.5): the same tables, columns and
 * indexes as the SQLite store (db/schema.ts), so that one region moves from its file to a shared
 * server row for row (`store copy`). Times stay ISO 8601 UTC text and JSON stays text, byte for
 * byte as written: the audit chain hashes those exact strings. Migrations in db/pg/migrations are
 * generated from this file (`npm run db:generate:pg`); the append-only triggers live in the custom
 * migration beside them. test/db/pg-schema.test.ts keeps the two schemas in step.
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

const ROLES = ['local_team', 'expert_team', 'inspector', 'admin'] as const;
/** Insertion order, given by the database (explicit values are taken too: `store copy` keeps them). */
const serial = (name: string) => integer(name).primaryKey().generatedByDefaultAsIdentity();

export const apiClients = pgTable('api_clients', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ROLES }).notNull(),
  organisation: text('organisation').notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at'),
});

export const regions = pgTable('regions', {
  id: text('id').primaryKey(),
  bridgingThresholdWeeks: integer('bridging_threshold_weeks').notNull().default(0),
  triage: text('triage'),
  triageUrgent: text('triage_urgent'),
  overleg: text('overleg'),
  checkpoint: text('checkpoint'),
  reassessment: text('reassessment'),
  /** How long after the overleg the advice is due (§6.1); NULL: the default P14D. */
  advice: text('advice'),
  escalation: text('escalation'),
  retention: text('retention'),
  housekeeping: text('housekeeping'),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  municipalities: text('municipalities'),
  updatedAt: text('updated_at').notNull(),
});

export const cases = pgTable(
  'cases',
  {
    seq: serial('seq'),
    id: text('id').notNull().unique(),
    state: text('state').notNull(),
    version: integer('version').notNull(),
    machineVersion: text('machine_version').notNull(),
    region: text('region').notNull(),
    organisation: text('organisation').notNull(),
    municipality: text('municipality').notNull(),
    snapshot: text('snapshot').notNull(),
    overdue: integer('overdue').notNull().default(0),
    facts: text('facts'),
    erasedAt: text('erased_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('cases_region_seq').on(t.region, t.seq),
    index('cases_organisation_seq').on(t.organisation, t.seq),
    index('cases_overdue').on(t.overdue).where(sql`overdue = 1`),
    index('cases_facts_missing').on(t.seq).where(sql`facts IS NULL`),
  ],
);

const REPORTED_EVENT_TYPES = ['DEADLINE_PASSED', 'ESCALATE', 'UPDATE_HELP_ITEM'] as const;

export const caseEvents = pgTable(
  'case_events',
  {
    seq: serial('seq'),
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
    index('case_events_notes').on(t.caseId, t.version).where(sql`type = 'ADD_NOTE'`),
    ...REPORTED_EVENT_TYPES.map((type) =>
      index(`case_events_${type.toLowerCase()}_at`).on(t.at).where(sql.raw(`type = '${type}'`))),
  ],
);

export const timers = pgTable(
  'timers',
  {
    seq: serial('seq'),
    caseId: text('case_id').notNull().references(() => cases.id),
    name: text('name').notNull(),
    dueAt: text('due_at').notNull(),
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

export const outbox = pgTable(
  'outbox',
  {
    seq: serial('seq'),
    id: text('id').notNull().unique(),
    caseId: text('case_id').notNull(),
    region: text('region').notNull(),
    kind: text('kind', { enum: ['state_changed', 'deadline_passed'] }).notNull(),
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

/** The audit trail; `seq` is the position in the log chain, given by the writer (or the sealer). */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    action: text('action', {
      enum: ['case_created', 'event_applied', 'deadline_passed', 'token_created', 'token_revoked',
        'region_updated', 'case_erased', 'user_created', 'user_disabled'],
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
    payloadHash: text('payload_hash'),
    erasedAt: text('erased_at'),
    entryHash: text('entry_hash'),
    prevCaseHash: text('prev_case_hash'),
    caseHash: text('case_hash'),
    prevLogHash: text('prev_log_hash').notNull(),
    logHash: text('log_hash').notNull(),
  },
  (t) => [uniqueIndex('audit_log_case_seq').on(t.caseId, t.caseSeq)],
);

export const accessLog = pgTable(
  'access_log',
  {
    seq: serial('seq'),
    at: text('at').notNull(),
    requestId: text('request_id').notNull(),
    action: text('action').notNull(),
    route: text('route').notNull(),
    actorRole: text('actor_role').notNull(),
    actorOrganisation: text('actor_organisation').notNull(),
    actorName: text('actor_name').notNull(),
    actorClientId: text('actor_client_id').notNull(),
    actorRegion: text('actor_region').notNull(),
    purpose: text('purpose'),
    caseIds: text('case_ids').notNull(),
    outcome: text('outcome').notNull(),
  },
  (t) => [index('access_log_at').on(t.at)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    clientId: text('client_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    caseId: text('case_id').notNull(),
    status: integer('status').notNull(),
    response: text('response').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clientId, t.key] }),
    index('idempotency_keys_created_at').on(t.createdAt),
  ],
);

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  role: text('role', { enum: ROLES }).notNull(),
  organisation: text('organisation').notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  createdAt: text('created_at').notNull(),
  disabledAt: text('disabled_at'),
});

export const signInLinks = pgTable('sign_in_links', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id),
  expiresAt: text('expires_at').notNull(),
  usedAt: text('used_at'),
});

export const sessions = pgTable(
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
