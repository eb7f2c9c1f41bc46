/**
 * A test app on its own migrated in-memory database, with a manual clock and one token per role:
 * every test file (and every test that wants one) gets a fresh one, sharing nothing.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { openDatabase, type Db } from '../../db/client.ts';
import type { EventType, Role } from '../../machines/referral.schemas.ts';
import { buildApp, type App, type AppDependencies } from '../../src/app.ts';
import { createClient } from '../../src/auth/api-clients.ts';
import { ManualClock } from '../../src/clock.ts';
import { events, fixtureClock, PATH_TO, submission } from './fixtures.ts';

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
  close(): Promise<void>;
}

/** `path`: a database file instead of memory, for tests that open or tamper with the file. */
export async function createTestContext(
  options: { path?: string; config?: Partial<AppDependencies['config']> } = {},
): Promise<TestContext> {
  const db = openDatabase(options.path ?? ':memory:');
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  // The fixtures' dates follow this context's clock until it closes, then the one before it again.
  const previousFixtureClock = fixtureClock.now;
  fixtureClock.now = () => clock.now();
  const app = await buildApp({ config: { LOG_LEVEL: 'silent', ...options.config }, db, clock });
  const caller = (role: Role, organisation: string, region: string, headers: Record<string, string> = {}): Caller => ({
    token: createClient(db, { role, organisation, region, name: `${role} ${organisation}` }, clock.now()).token,
    role,
    headers,
  });
  const purpose = { 'x-purpose': 'Toezicht op de expertteams, onderzoek 2026-17' };
  const ctx: TestContext = {
    app, db, clock,
    localTeam: caller('local_team', 'wt-noord', REGION),
    otherLocalTeam: caller('local_team', 'wt-zuid', REGION),
    expertTeam: caller('expert_team', 'ret-r01', REGION),
    otherExpertTeam: caller('expert_team', 'ret-r02', OTHER_REGION),
    inspector: caller('inspector', 'igj', REGION, purpose),
    nationalInspector: caller('inspector', 'igj', '*', purpose),
    otherInspector: caller('inspector', 'igj', OTHER_REGION, purpose),
    admin: caller('admin', 'beheer', REGION),
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
    async close() {
      fixtureClock.now = previousFixtureClock;
      await app.close();
      db.$client.close();
    },
  };
  return ctx;
}
