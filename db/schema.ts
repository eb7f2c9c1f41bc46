/**
 * The drizzle schema of passend's SQLite store. Times are ISO 8601 UTC strings; JSON columns
 * hold the statechart snapshot and event payloads. Migrations in db/migrations are generated from
 * this file by drizzle-kit (`npm run db:generate`); triggers that drizzle cannot express live in
 * the custom migrations beside them.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const apiClients = sqliteTable('api_clients', {
  id: text('id').primaryKey(),
  /** SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough and lookups stay cheap. */
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ['local_team', 'expert_team', 'inspector', 'admin'] }).notNull(),
  organisation: text('organisation').notNull(),
  region: text('region').notNull(),
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at'),
});

export const regions = sqliteTable('regions', {
  id: text('id').primaryKey(),
  bridgingThresholdWeeks: integer('bridging_threshold_weeks').notNull().default(0),
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
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('cases_region_seq').on(t.region, t.seq),
    index('cases_organisation_seq').on(t.organisation, t.seq),
  ],
);

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
  (t) => [uniqueIndex('case_events_case_version').on(t.caseId, t.version)],
);
