/**
 * GET /reports/signalering: every figure of a known data set (signalering-data.ts), checked
 * exactly, suppression and complementary suppression included. The period is the first half of
 * 2026; the report is asked on day 80 (26 March 2026), so the open cases are those of that day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { buildSignaleringData } from './signalering-data.ts';

const URL = '/api/v1/reports/signalering?from=2026-01-01&to=2026-06-30';

/** Expected cells: a number is shown, null is suppressed. */
const cells = (spec: Record<string, number | null>) => Object.entries(spec).map(([key, count]) =>
  ({ key, count, suppressed: count === null }));

let ctx: TestContext;
let report: Record<string, any>;

const get = async (caller: Caller, url = URL) => {
  const res = await ctx.call(caller, { method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

beforeAll(async () => {
  ctx = await createTestContext();
  await buildSignaleringData(ctx);
  report = await get(ctx.expertTeam);
});
afterAll(() => ctx.close());

describe('GET /reports/signalering', () => {
  it('describes its region and period: from the start of `from` to the end of `to`, Dutch time', () => {
    expect(report.region).toBe('R01');
    expect(report.period).toEqual({
      from: '2026-01-01', to: '2026-06-30', timeZone: 'Europe/Amsterdam',
      startsAt: '2025-12-31T23:00:00.000Z', endsBefore: '2026-06-30T22:00:00.000Z', asOf: '2026-03-26',
    });
    expect(report.generatedAt).toBe('2026-03-26T09:00:00.000Z');
    expect(report.suppressionThreshold).toBe(5);
  });

  it('counts submissions by referrer, municipality and problem area, suppressing small and complementary cells', () => {
    expect(report.submitted).toEqual({
      total: 23,
      // youth (2) is below 5; alone it could be worked back from the total, so parent (5) goes too
      byReferrerKind: cells({ professional: 16, parent: null, youth: null }),
      byMunicipality: cells({ GM0344: null, GM0363: 20, GM0518: null }),
      byProblemArea: cells({ mental_health: 6, disability: null, development: 6, education: 6, family: 5,
        safety: null, addiction: null, justice: null, housing: null, other: null }),
    });
  });

  it('counts every decision and closing once, the closed cases split by outcome and by the family\'s view', () => {
    expect(report.decisions.total).toBe(24);
    const closed = { ...cells({ closed: 6 })[0],
      breakdowns: {
        byOutcome: cells({ help_in_place: 5, no_longer_needed: null, other: null }),
        byFamilyViewOfFit: cells({ fits: 5, partly: null, does_not_fit: null, not_asked: null }),
      } };
    expect(report.decisions.byDecision).toEqual([
      ...cells({ accepted: 10, declined: 5, consultation_only: null, escalated: null, withdrawn: null }), closed]);
  });

  it('counts the cases open at the end of the period by state and by school status', () => {
    // E0 was escalated (§5.3): it stays open, in planning_overleg.
    expect(report.openAtEnd.total).toBe(10);
    expect(report.openAtEnd.byState).toEqual(cells({ submitted: 5, triage: null, awaiting_information: null,
      planning_overleg: null, overleg_scheduled: null, advising: null, bridging: null, follow_up: null }));
  });

  it('splits the thuiszitters by the 3 months of the Thuiszitterspact, protecting the split when one side is small', () => {
    // 6 thuiszitters: 5 out of school since before 26 December 2025, 1 since later.
    expect(report.openAtEnd.bySchoolStatus).toEqual([
      ...cells({ attending: null, partial: null }),
      { ...cells({ not_attending: 6 })[0],
        // All of compulsory school age (born 2012), none outside_school_age: the 1 and the 0 are
        // suppressed, and the reader learns only that they add up to 1 (suppression.ts).
        breakdowns: { byDuration: cells({ more_than_3_months: 5, up_to_3_months: null, outside_school_age: null }) } },
      ...cells({ not_applicable: null }),
    ]);
  });

  it('gives the lead times in days as nearest-rank median and 90th percentile', () => {
    expect(report.leadTimes).toEqual({
      // 16 decisions: 1,1,2,2,2,2,2,2,3,3,4,5,6,7,8,10 → rank 8 and rank 15
      submissionToTriageDecision: { medianDays: 2, p90Days: 8, suppressed: false },
      // to heldAt: 5,7,8,9,10,10,20,20;
      // with fewer than 10 values the 90th percentile would be the largest, one child's: withheld
      acceptanceToOverleg: { medianDays: 9, p90Days: null, suppressed: false },
      // 2,2,3,3,4,5,6,14
      overlegToAdvice: { medianDays: 3, p90Days: null, suppressed: false },
      // to the first report that help started (F3 reported "not yet" first): 2,3,4,6,8,30
      adviceToHelpStarted: { medianDays: 4, p90Days: null, suppressed: false },
    });
  });

  it('gives the share of overleggen where the youth and the parents took part, and the disruption types', () => {
    expect(report.overleggen).toEqual({
      total: 8,
      // 6 of 8 and 5 of 8: the 2 and 3 overleggen without them are fewer than 5, so no share
      youthTookPart: { share: null, suppressed: true },
      parentsTookPart: { share: null, suppressed: true },
      byDisruption: cells({ organisational: 5, legal: null, content: null, conflict: null }),
      // F5 and O4 left both out, O5 the parents: each with the reason "Wilde niet", read as `other`
      // (2 and 3 overleggen, every cell below 5, zero included)
      youthNotInvolvedByReason: cells({ safety: null, refused: null, unreachable: null, capacity: null, other: null }),
      parentsNotInvolvedByReason: cells({ safety: null, refused: null, unreachable: null, capacity: null, other: null }),
    });
  });

  it('gives the share of custom arrangements and waiting times, the median wait and the bridging plans', () => {
    expect(report.advice).toEqual({
      advices: 8,
      helpItems: 10,
      // 5 of 10 items; 7 of 10 wait, but the 3 that do not are fewer than 5
      customArrangements: { share: 0.5, suppressed: false },
      withWaitingTime: { share: null, suppressed: true },
      // 1,2,3,4,6,8,10 weeks
      medianWaitingWeeks: { weeks: 4, suppressed: false },
      // 6 cases advised a help item with a wait; 5 got a bridging plan, 1 (O4) not: withheld
      bridgingPlanWhenWaiting: { share: null, suppressed: true },
    });
  });

  it('counts the cases that passed each deadline, reassessment included, suppressing small cells', () => {
    expect(report.deadlines).toEqual({
      // E0's overleg and escalation deadlines pass while it is escalated; one bridging review passes;
      // one advice comes more than 14 days after its overleg (machine 2.1.0, §6.1).
      total: 22,
      passedByDeadline: [
        { key: 'triage', count: 11, suppressed: false },
        { key: 'overleg', count: null, suppressed: true },
        { key: 'advice', count: null, suppressed: true },
        { key: 'checkpoint', count: 7, suppressed: false },
        { key: 'reassessment', count: null, suppressed: true },
        { key: 'bridging_review', count: null, suppressed: true },
        { key: 'escalation', count: null, suppressed: true },
        { key: 'commitment', count: null, suppressed: true },
      ],
      dueForReassessment: { count: null, suppressed: true },
    });
  });

  it('counts the help items that started, from the trail, and the weeks from advice to start (§5.2)', () => {
    // F0–F5 start every help item: 1 + 1 + 1 + 2 + 1 + 2 = 8 items, on the day of their report.
    expect(report.helpItems.changesByStatus).toEqual(cells({ arranged: null, started: 8, not_started: null, stopped: null }));
    // Days from advice to start: F0 2, F1 3, F2 4, F3 6 (×2), F4 8, F5 30 (×2): in weeks, nearest-rank
    // median of 8 values is the 4th: 6 days = 0.9 weeks; fewer than 10 values: no 90th percentile.
    expect(report.helpItems.weeksFromAdviceToStart).toEqual({ medianWeeks: 0.9, p90Weeks: null, suppressed: false });
  });

  it('counts the escalations by where they went and how they were answered, suppressing small cells (§5.3)', () => {
    expect(report.escalations).toEqual({
      total: 1,
      byTo: cells({ ben: null, municipality_mandate: null, other: null }),
      byAnswer: cells({ in_time: null, late: null, unanswered: null }),
    });
  });

  it('never puts a case reference or free text in the report', async () => {
    const text = JSON.stringify(report);
    for (const words of ['X-1', 'Wilde niet', 'Regular routes', 'Home schooling', 'Gemeente Amsterdam']) {
      expect(text).not.toContain(words);
    }
  });
});

describe('GET /reports/signalering: only what the caller may see', () => {
  it('gives the regional inspector the same figures as the expert team of the region', async () => {
    expect(await get(ctx.inspector)).toEqual(report);
  });

  it('gives the expert team of another region only its own cases', async () => {
    const other = await get(ctx.otherExpertTeam);
    expect(other.region).toBe('R02');
    expect(other.submitted.total).toBe(2);
    expect(other.decisions.total).toBe(0);
    expect(other.openAtEnd.total).toBe(2);
    expect(other.submitted.byMunicipality).toEqual(cells({ GM0363: null }));
  });

  it('gives a national inspector all regions, or the one named in `region`', async () => {
    const all = await get(ctx.nationalInspector);
    expect(all.region).toBe('*');
    expect([all.submitted.total, all.decisions.total, all.openAtEnd.total]).toEqual([25, 24, 12]);
    expect(all.submitted.byReferrerKind).toEqual(cells({ professional: 18, parent: null, youth: null }));
    expect(await get(ctx.nationalInspector, `${URL}&region=R01`)).toEqual(report);
    expect((await get(ctx.nationalInspector, `${URL}&region=R02`)).submitted.total).toBe(2);
    expect((await get(ctx.nationalInspector, `${URL}&region=*`)).submitted.total).toBe(25);
  });
});
