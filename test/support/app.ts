/**
 * A test app on its own migrated in-memory database, with a manual clock and one token per role:
 * every test file (and every test that wants one) gets a fresh one, sharing nothing.
 *
 * The store matrix (DESIGN §5.5, vitest.config.ts): in the `postgres` project
 * (PASSEND_TEST_STORE=postgres) the same context runs on a fresh PostgreSQL database of the run's
 * cluster instead, through the same services; `db` (the SQLite handle) then does not exist, so a
 * test file that reads SQLite directly stays out of that project.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import * as pgSchema from '../../db/pg/schema.ts';
import * as sqliteSchema from '../../db/schema.ts';
import { applyPragmas, openDatabase, type Db } from '../../src/store/sqlite/client.ts';
import type { EventType, Role } from '../../machines/referral.schemas.ts';
import { buildApp, type App, type AppDependencies } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import type { Store } from '../../src/store/port.ts';
import { postgresStore } from '../../src/store/postgres/store.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';
import { freshPgDatabase } from './postgres.ts';

/**
 * Columns a fingerprint leaves out: like the access log, an API client's last use (noted at most
 * once a minute, src/auth/last-use.ts) records that a request came, not a change it made.
 */
const UNFINGERPRINTED = new Set(['api_clients.last_used_at']);

/** The PostgreSQL tables but the access log, each with an order that makes its rows' order fixed. */
const PG_TABLES = (Object.values(pgSchema) as unknown[])
  .filter((t): t is Table => typeof t === 'object' && t !== null && Symbol.for('drizzle:IsDrizzleTable') in t)
  .map((t) => ({ name: getTableName(t), columns: Object.values(getTableColumns(t)).map((c) => c.name) }))
  .filter((t) => t.name !== 'access_log')
  .map((t) => ({ name: t.name, order: t.columns.map((c) => `"${c}"`).join(', '),
    select: t.columns.filter((c) => !UNFINGERPRINTED.has(`${t.name}.${c}`)).map((c) => `"${c}"`).join(', ') }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** The store this run's tests use: `sqlite` unless the postgres project of the matrix runs them. */
export const STORE: 'sqlite' | 'postgres' = process.env.PASSEND_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
import { events, fixtureClock, PATH_TO, submission } from './fixtures.ts';
import type { Actor, NewClient, Operator } from '../../src/auth/actors.ts';
import type { RegionSettings, RegionUpdate } from '../../src/regions/region-settings.ts';

export const REGION = 'R01';
export const OTHER_REGION = 'R02';

export interface Caller {
  token: string;
  role: Role;
  /** Extra headers sent with every request, such as an inspector's X-Purpose. */
  headers: Record<string, string>;
}

export interface TestContext {
  app: App;
  db: Db;
  clock: ManualClock;
  /** local team of organisation wt-noord in R01 */
  localTeam: Caller;
  /** another local team (wt-zuid) in the same region */
  otherLocalTeam: Caller;
  expertTeam: Caller;
  /** the expert team of another region */
  otherExpertTeam: Caller;
  inspector: Caller;
  nationalInspector: Caller;
  otherInspector: Caller;
  admin: Caller;
  call(caller: Caller | null, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Submit a case as the local team and return its id. */
  createCase(body?: unknown): Promise<string>;
  send(caller: Caller, id: string, event: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A new case, taken by valid events to the named lifecycle state. */
  caseIn(state: keyof typeof PATH_TO): Promise<string>;
  /**
   * A hash of every row of every table but the access log, on either store: equal before and
   * after means nothing changed. Reads are meant to add access-log lines (NEN 7513).
   */
  fingerprint(): Promise<string>;
  /**
   * A statement on either store, written with `?` placeholders (SQL both dialects read alike).
   * Counts come back as numbers on both.
   */
  sql(text: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** The store under the app, for what the command line does (region settings, organisations' names). */
  store: Store;
  /** Region settings, changed as the command line changes them (audited). */
  regions: { get(id: string): Promise<RegionSettings>; set(id: string, update: RegionUpdate): Promise<RegionSettings> };
  /** The full actor (client id included) behind a caller's token. */
  actorOf(caller: Caller): Promise<Actor>;
  /** Another API client, made as the command line makes one; and revoking one. */
  newClient(client: NewClient, operator?: Operator): Promise<{ token: string; actor: Actor }>;
  revokeClient(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The bytes of a freshly migrated SQLite database, made once per worker (see migratedInMemory). */
let migratedImage: Buffer | undefined;

/**
 * A new in-memory database, migrated: a copy of one migrated once (SQLite's serialize and
 * deserialize), with the pragmas openDatabase sets. The same as openDatabase(':memory:') without
 * running every migration again for each test context.
 */
function migratedInMemory(): Db {
  if (!migratedImage) {
    const first = openDatabase(':memory:');
    migratedImage = first.$client.serialize();
    first.$client.close();
  }
  const sqlite = new Database(migratedImage);
  applyPragmas(sqlite);
  return drizzle({ client: sqlite, schema: sqliteSchema }) as Db;
}

/** `path`: a database file instead of memory, for tests that open or tamper with the file. */
export async function createTestContext(
  options: { path?: string; config?: Partial<AppDependencies['config'] & Pick<Config, 'GROUP_COMMIT'>> } = {},
): Promise<TestContext> {
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  // The fixtures' dates follow this context's clock until it closes, then the one before it again.
  const previousFixtureClock = fixtureClock.now;
  fixtureClock.now = () => clock.now();
  const config = { LOG_LEVEL: 'silent' as const, ...options.config };
  let db: Db;
  let store: Store;
  let run: (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
  let dispose: () => Promise<void>;
  let fingerprint: () => Promise<string>;
  if (STORE === 'postgres' && options.path === undefined) {
    const pg = await freshPgDatabase();
    store = postgresStore(pg.db, clock, { sessionIdleMinutes: config.SESSION_IDLE_MINUTES });
    run = async (text, params) => {
      let n = 0;
      const result = await pg.db.$client.query(text.replace(/\?/g, () => `$${++n}`), params);
      // count(*) is a bigint, which pg hands back as text: a number, as on SQLite.
      const counts = result.fields.filter((f) => f.dataTypeID === 20).map((f) => f.name);
      return result.rows.map((row: Record<string, unknown>) => {
        for (const name of counts) if (row[name] !== null) row[name] = Number(row[name]);
        return row;
      });
    };
    db = new Proxy({}, { get() { throw new Error('this test reads SQLite directly: it is not in the PostgreSQL matrix'); } }) as Db;
    dispose = async () => { await pg.drop(); };
    fingerprint = async () => {
      const hash = createHash('sha256');
      for (const table of PG_TABLES) {
        hash.update(table.name);
        const { rows } = await pg.db.$client.query({ text: `SELECT ${table.select} FROM ${table.name} ORDER BY ${table.order}`, rowMode: 'array' });
        hash.update(JSON.stringify(rows));
      }
      return hash.digest('hex');
    };
  } else {
    const sqlite = options.path === undefined ? migratedInMemory() : openDatabase(options.path);
    db = sqlite;
    store = sqliteStore(sqlite, clock, {
      groupCommit: options.config?.GROUP_COMMIT !== 'off', sessionIdleMinutes: config.SESSION_IDLE_MINUTES,
    });
    run = async (text, params) => {
      const statement = sqlite.$client.prepare(text);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as Record<string, unknown>[];
    };
    dispose = async () => { sqlite.$client.close(); };
    fingerprint = async () => {
      const tables = sqlite.$client.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'access_log' ORDER BY name",
      ).pluck().all() as string[];
      const hash = createHash('sha256');
      for (const table of tables) {
        hash.update(table);
        const columns = (sqlite.$client.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[])
          .filter((c) => !UNFINGERPRINTED.has(`${table}.${c}`)).map((c) => `"${c}"`).join(', ');
        hash.update(JSON.stringify(sqlite.$client.prepare(`SELECT ${columns} FROM "${table}" ORDER BY rowid`).raw().all()));
      }
      return hash.digest('hex');
    };
  }
  const app = await buildApp({ config, store, clock });
  const newClient = (client: NewClient, operator?: Operator) => store.clients.create(client, clock.now(), operator);
  const regions: TestContext['regions'] = {
    get: (id) => store.regions.get(id),
    set: (id, update) => store.regions.set(id, update, clock.now()),
  };
  const caller = async (role: Role, organisation: string, region: string, headers: Record<string, string> = {}): Promise<Caller> => ({
    token: (await newClient({ role, organisation, region, name: `${role} ${organisation}` })).token,
    role,
    headers,
  });
  const purpose = { 'x-purpose': 'Toezicht op de expertteams, onderzoek 2026-17' };
  const ctx: TestContext = {
    app, db, clock, store,
    localTeam: await caller('local_team', 'wt-noord', REGION),
    otherLocalTeam: await caller('local_team', 'wt-zuid', REGION),
    expertTeam: await caller('expert_team', 'ret-r01', REGION),
    otherExpertTeam: await caller('expert_team', 'ret-r02', OTHER_REGION),
    inspector: await caller('inspector', 'igj', REGION, purpose),
    nationalInspector: await caller('inspector', 'igj', '*', purpose),
    otherInspector: await caller('inspector', 'igj', OTHER_REGION, purpose),
    admin: await caller('admin', 'beheer', REGION),
    call(who, options) {
      const headers = { ...(who ? { authorization: `Bearer ${who.token}`, ...who.headers } : {}),
        ...(options.headers as Record<string, string> | undefined) };
      return app.inject({ ...options, headers });
    },
    async createCase(body = submission()) {
      const res = await ctx.call(ctx.localTeam, { method: 'POST', url: '/api/v1/cases', payload: body as object });
      if (res.statusCode !== 201) throw new Error(`createCase: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    },
    send(who, id, event, headers = {}) {
      return ctx.call(who, {
        method: 'POST', url: `/api/v1/cases/${id}/events`, payload: event as object, headers,
      });
    },
    async caseIn(state) {
      const id = await ctx.createCase();
      let helpItems: { id: string }[] = [];
      for (const type of PATH_TO[state] ?? []) {
        // UPDATE_HELP_ITEM in a path: every help item of the advice starts (fixtures.ts).
        const sent = type === 'UPDATE_HELP_ITEM'
          ? helpItems.map((item) => events.UPDATE_HELP_ITEM({ itemId: item.id }))
          : [events[type as EventType]()];
        for (const event of sent) {
          const res = await ctx.send(ctx.expertTeam, id, event);
          if (res.statusCode !== 200) throw new Error(`caseIn ${state}: ${type} → ${res.statusCode} ${res.body}`);
          helpItems = (res.json() as { helpItems: { id: string }[] }).helpItems;
        }
      }
      return id;
    },
    fingerprint: () => fingerprint(),
    sql: (text, ...params) => run(text, params),
    regions,
    async actorOf(who) {
      const actor = await app.services.clients.lookup(who.token);
      if (!actor) throw new Error('no active client for this token');
      return actor;
    },
    newClient: (client, operator) => newClient(client, operator),
    revokeClient: (id) => store.clients.revoke(id, clock.now()),
    async close() {
      fixtureClock.now = previousFixtureClock;
      await app.close();
      await dispose();
    },
  };
  return ctx;
}

/** Sends an event to a case as `who` (the expert team unless named) and fails the test unless it is applied. */
export async function applied(ctx: TestContext, id: string, event: unknown, who: Caller = ctx.expertTeam): Promise<void> {
  const res = await ctx.send(who, id, event);
  expect(res.statusCode, res.body).toBe(200);
}
