/**
 * Cases created under machine 1.0.0 keep working (DESIGN §5): a database written by the first
 * release itself (test/fixtures/machine-1.0.0.sqlite, made by make-machine-1.0.0.ts.txt at commit
 * 4e8840e) is opened by today's service, which steps each case by the version it was created with.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportFactsSchema } from '../../machines/referral.facts.ts';
import { createClient } from '../../src/store/sqlite/clients.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { apply, expectProblem, readCase, readTrail } from '../support/http.ts';

const FIXTURE = new URL('../fixtures/machine-1.0.0.sqlite', import.meta.url);
const MANIFEST = JSON.parse(readFileSync(new URL('../fixtures/machine-1.0.0.sqlite.json', import.meta.url), 'utf8')) as {
  cases: Record<string, string>;
};
const ids = MANIFEST.cases;

let dir: string;
let ctx: TestContext;
let expert: Caller;
let local: Caller;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'passend-v1-'));
  const file = join(dir, 'passend.db');
  copyFileSync(FIXTURE, file);
  ctx = await createTestContext({ path: file });
  ctx.clock.set('2026-01-06T09:00:00Z');
  // The fixture's cases belong to organisation wt-noord in R01, as in the first release's tests.
  expert = ctx.expertTeam;
  local = { ...ctx.localTeam, token: createClient(ctx.db, { role: 'local_team', organisation: 'wt-noord', region: 'R01', name: 'Wijkteam Noord' }, ctx.clock.now()).token };
});
afterAll(async () => {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cases of machine 1.0.0, opened by machine 2.0.0', () => {
  it('are read with their version, state and a view of the current shape', async () => {
    for (const [state, id] of Object.entries(ids)) {
      const view = await readCase(ctx, id);
      expect(view.machineVersion, state).toBe('1.0.0');
      expect(view.state, state).toBe(state === 'escalated' ? 'closed' : state.replace('_started', ''));
      expect(view.helpItems).toEqual([]);
      expect(view.escalation).toBeNull();
    }
  });

  it('get the report facts of their 1.0.0 records when the service opens the file (which had none)', () => {
    const rows = ctx.db.$client.prepare('SELECT id, facts FROM cases').all() as { id: string; facts: string | null }[];
    expect(rows.length).toBe(Object.keys(ids).length);
    const facts = new Map(rows.map((r) => [r.id, ReportFactsSchema.parse(JSON.parse(r.facts ?? 'null'))]));
    // A 1.0.0 escalation closed the case; it is its closure, not an escalation kept open.
    expect(facts.get(ids.escalated!)).toMatchObject({ closure: { type: 'ESCALATE', outcome: null }, firstEscalationAt: null });
    expect(facts.get(ids.submitted!)).toMatchObject({ decision: null, closure: null, overleggen: [], advices: [] });
    expect(facts.get(ids.follow_up!)!.advices.length).toBe(1);
  });

  it('go the rest of the lifecycle of DESIGN §3 under 1.0.0, from submitted to closed', async () => {
    const id = ids.submitted!;
    for (const type of ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE'] as const) {
      await apply(ctx, expert, id, events[type]());
    }
    await apply(ctx, local, id, events.REPORT_PROGRESS());
    const closed = await apply(ctx, expert, id, events.CLOSE({ outcome: 'no_longer_needed' }));
    expect(closed).toMatchObject({ state: 'closed', machineVersion: '1.0.0' });
    const trail = await readTrail(ctx, id);
    expect(trail.entries.map((e) => e.type)).toEqual(['SUBMIT', 'START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG',
      'RECORD_OVERLEG', 'ISSUE_ADVICE', 'REPORT_PROGRESS', 'CLOSE']);
  });

  it('keep the 1.0.0 chart: ESCALATE still closes a 1.0.0 case, and 2.0.0 events are not offered', async () => {
    const id = ids.planning_overleg!;
    const before = await readCase(ctx, id);
    expect(before.allowedEvents).not.toContain('UPDATE_CONSENT');
    expectProblem(await ctx.send(expert, id, events.UPDATE_SCHOOL()), 409, 'EVENT_NOT_ALLOWED');
    const view = await apply(ctx, expert, id, events.ESCALATE());
    expect(view.state).toBe('closed');
  });

  it('bridging and follow_up continue: the bridging plan, then a report meets the reassessment as in 1.0.0', async () => {
    const bridging = await apply(ctx, expert, ids.bridging!, events.SET_BRIDGING_PLAN());
    expect(bridging.state).toBe('follow_up');
    const reported = await apply(ctx, local, ids.follow_up!, events.REPORT_PROGRESS({ helpStarted: true }));
    expect(reported.deadlines.map((d) => d.name)).toEqual(['checkpoint']);
  });

  it('the audit chain written by 1.0.0 and continued by 2.0.0 still verifies', async () => {
    const res = await ctx.call(ctx.inspector, { method: 'GET', url: '/api/v1/audit/verify' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: true });
  });
});

describe('the console\'s case page of a machine 1.0.0 case', () => {
  it('shows the file of every case of the first release to the expert team and the local team, with nothing undefined', async () => {
    const { person, signIn } = await import('../console/session.ts');
    const readers = [
      await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator')),
      await signIn(ctx, await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam')),
    ];
    for (const reader of readers) {
      for (const [name, id] of Object.entries(ids)) {
        const page = await reader.get(`/casussen/${id}`);
        expect(page.statusCode, `${name}: ${page.body.slice(0, 300)}`).toBe(200);
        expect(page.body, name).toContain('id="kop-aanmelding"');
        expect(page.body, name).toContain('id="kop-toestemming"');
        expect(page.body, name).not.toMatch(/undefined|NaN|\[object Object\]/);
      }
    }
  });
});
