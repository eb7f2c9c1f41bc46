/**
 * The period of the signalering report: a past period counts what was known at its end (the
 * state of each case then, from its trail), the bounds are Dutch calendar days, and the defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePeriod } from '../../src/reports/period.ts';
import { signaleringQueries } from '../../src/store/sqlite/signalering-queries.ts';
import { signaleringService } from '../../src/reports/signalering.ts';
import { signaleringReader } from '../../src/store/sqlite/signalering.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { expectProblem } from '../support/http.ts';
import { buildSignaleringData, DAY, dayAt } from './signalering-data.ts';

const cells = (spec: Record<string, number | null>) => Object.entries(spec).map(([key, count]) =>
  ({ key, count, suppressed: count === null }));

describe('GET /reports/signalering for a past period', () => {
  let ctx: TestContext;
  let january: Record<string, any>;
  beforeAll(async () => {
    ctx = await createTestContext();
    await buildSignaleringData(ctx);
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31&publication=true' });
    january = res.json();
  });
  afterAll(() => ctx.close());

  it('counts the cases open at its end in the state they were in then, not the state they are in now', () => {
    expect(january.period.asOf).toBe('2026-01-31');
    expect(january.openAtEnd.total).toBe(16); // E0, escalated, stays open (§5.3)
    expect(january.openAtEnd.byState).toEqual(cells({ submitted: 5, triage: null, awaiting_information: null,
      planning_overleg: null, overleg_scheduled: null, advising: null, bridging: null, follow_up: 5 }));
    expect(january.openAtEnd.bySchoolStatus).toEqual([
      ...cells({ attending: 5, partial: null }),
      // out of school since before 31 October 2025: F0–F2, O1, O7; since later: O0, O2, O4, O6
      { ...cells({ not_attending: 9 })[0], breakdowns: { byDuration: cells({ more_than_3_months: 5, up_to_3_months: null,
        outside_school_age: null }) } },
      ...cells({ not_applicable: null }),
    ]);
  });

  it('counts only the decisions, overleggen and advices of the period', () => {
    expect(january.decisions.total).toBe(18);
    expect(january.decisions.byDecision.find((c: { key: string }) => c.key === 'closed').count).toBeNull();
    expect(january.overleggen).toEqual({
      total: 7,
      // 6 and 5 of 7: the rest is fewer than 5
      youthTookPart: { share: null, suppressed: true },
      parentsTookPart: { share: null, suppressed: true },
      byDisruption: cells({ organisational: 5, legal: null, content: null, conflict: null }),
      youthNotInvolvedByReason: cells({ safety: null, refused: null, unreachable: null, capacity: null, other: null }),
      parentsNotInvolvedByReason: cells({ safety: null, refused: null, unreachable: null, capacity: null, other: null }),
    });
    expect(january.advice).toEqual({
      advices: 6, helpItems: 7,
      // 4 of 7 each: fewer than 5
      customArrangements: { share: null, suppressed: true },
      withWaitingTime: { share: null, suppressed: true },
      medianWaitingWeeks: { weeks: null, suppressed: true },
      bridgingPlanWhenWaiting: { share: null, suppressed: true },
    });
  });

  it('gives the lead times of the intervals that ended in the period, and withholds those of fewer than 5', () => {
    expect(january.leadTimes).toEqual({
      submissionToTriageDecision: { medianDays: 2, p90Days: 8, suppressed: false },
      acceptanceToOverleg: { medianDays: 9, p90Days: null, suppressed: false },
      overlegToAdvice: { medianDays: 3, p90Days: null, suppressed: false },
      adviceToHelpStarted: { medianDays: null, p90Days: null, suppressed: true },
    });
  });

  it('only reads: making a report changes nothing in the database', async () => {
    const changes = () => (ctx.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    const inspector = { clientId: 'c', role: 'inspector' as const, organisation: 'igj', region: '*', name: 'IGJ' };
    await signaleringService(signaleringReader(ctx.db), ctx.clock).report(inspector, { from: '2026-01-01', to: '2026-01-31' });
    expect(changes()).toBe(before);
  });
});

describe('GET /reports/signalering period bounds', () => {
  let ctx: TestContext;
  const submittedIn = async (from: string, to: string) => (await ctx.call(ctx.expertTeam,
    { method: 'GET', url: `/api/v1/reports/signalering?from=${from}&to=${to}` })).json().submitted.total;
  beforeAll(async () => {
    ctx = await createTestContext();
    for (const at of ['2026-01-31T22:59:59Z', '2026-01-31T23:00:00Z', '2026-06-30T21:59:59Z', '2026-06-30T22:00:00Z']) {
      ctx.clock.set(at);
      await ctx.createCase();
    }
    ctx.clock.set('2026-08-01T10:00:00Z');
  });
  afterAll(() => ctx.close());

  it('includes both `from` and `to` as whole days in Europe/Amsterdam, winter and summer time alike', async () => {
    // 31 Jan 23:59:59 and 1 Feb 00:00 Dutch (winter) time; 30 Jun 23:59:59 and 1 Jul 00:00 (summer).
    expect(await submittedIn('2026-01-01', '2026-01-31')).toBe(1);
    expect(await submittedIn('2026-02-01', '2026-02-28')).toBe(1);
    expect(await submittedIn('2026-06-01', '2026-06-30')).toBe(1);
    expect(await submittedIn('2026-07-01', '2026-07-31')).toBe(1);
    expect(await submittedIn('2026-01-01', '2026-12-31')).toBe(4);
  });

  it('runs from 1 January of the year of `to` to the end of the current month when the dates are left out', async () => {
    const period = async (query: string) => (await ctx.call(ctx.expertTeam,
      { method: 'GET', url: `/api/v1/reports/signalering${query}` })).json().period;
    expect(await period('')).toMatchObject({ from: '2026-01-01', to: '2026-08-31', asOf: '2026-08-01' });
    expect(await period('?to=2025-12-31')).toMatchObject({ from: '2025-01-01', to: '2025-12-31' });
    expect(await period('?from=2026-07-01')).toMatchObject({ from: '2026-07-01', to: '2026-08-31' });
    expect(await period('?to=2024-02-29')).toMatchObject({ from: '2024-01-01', to: '2024-02-29' });
  });

  it('covers whole calendar months only: other bounds are 400 PERIOD_NOT_WHOLE_MONTHS, naming the field (§5.6)', async () => {
    const refused = async (query: string) => {
      const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/reports/signalering?${query}` });
      return expectProblem(res, 400, 'PERIOD_NOT_WHOLE_MONTHS').invalidParams?.map((p) => p.name);
    };
    expect(await refused('from=2026-01-05&to=2026-01-31')).toEqual(['from']);
    expect(await refused('from=2026-01-01&to=2026-01-30')).toEqual(['to']);
    expect(await refused('from=2026-01-02&to=2026-02-27')).toEqual(['from', 'to']);
    // Two overlapping periods a day apart would single out the cases of that day: refused.
    expect(await refused('from=2026-01-01&to=2026-01-05')).toEqual(['to']);
    expect(await refused('to=2026-06-15')).toEqual(['to']);
  });
});

describe('signalering lead times to the overleg', () => {
  it('take heldAt; an overleg held before its planned day or after the day it is recorded is refused', async () => {
    const ctx = await createTestContext();
    const ids: string[] = [];
    for (const held of [-2, 3, 20]) {
      ctx.clock.set(dayAt(0));
      const id = await ctx.createCase();
      for (const e of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG()]) await ctx.send(ctx.expertTeam, id, e);
      ctx.clock.advance(5 * DAY);
      const res = await ctx.send(ctx.expertTeam, id, events.RECORD_OVERLEG({ heldAt: dayAt(held) }));
      // DESIGN §5.1: heldAt not before the planned day (day 0), not after today (day 5)
      expect(res.statusCode).toBe(held === 3 ? 200 : 422);
      if (held !== 3) expect(res.json().invalidParams).toEqual([expect.objectContaining({ name: 'heldAt' })]);
      ctx.clock.advance(DAY);
      if (held === 3) await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE());
      ids.push(id);
    }
    const raw = signaleringQueries(ctx.db).figures({ kind: 'region', region: 'R01' },
      resolvePeriod({ from: '2026-01-01', to: '2026-12-31' }, ctx.clock.now()));
    // held on day 3, three days after the acceptance; advice on day 6, three days after it was held
    expect(raw.distributions.get('d_overleg')).toEqual({ n: 1, p50: 3, p90: 3 });
    expect(raw.distributions.get('d_advice')).toEqual({ n: 1, p50: 3, p90: 3 });
    await ctx.close();
  });
});
