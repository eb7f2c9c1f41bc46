/**
 * The escalation figures of the signalering (§5.3) with cells large enough to show: fifteen
 * escalations in January 2026, five to each destination, five answered before their deadline
 * passed, five after, five not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { apply } from '../support/http.ts';

const DAY = 86_400_000;
let ctx: TestContext;
let report: Record<string, any>;

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set('2026-01-05T09:00:00Z');
  const ids: string[] = [];
  for (let i = 0; i < 15; i++) ids.push(await ctx.caseIn('triage'));
  const to = ['ben', 'municipality_mandate', 'other'] as const;
  // Case i goes to to[i % 3]; cases 0–4 are answered the next day, 5–9 after the 21 days of the
  // escalation deadline (which the scheduler records first), 10–14 never.
  for (const [i, id] of ids.entries()) await apply(ctx, ctx.expertTeam, id, events.ESCALATE({ to: to[i % 3] }));
  ctx.clock.advance(DAY);
  for (const id of ids.slice(0, 5)) await apply(ctx, ctx.expertTeam, id, events.RECORD_ESCALATION_OUTCOME());
  ctx.clock.advance(21 * DAY);
  await ctx.app.scheduler.runOnce();
  for (const id of ids.slice(5, 10)) await apply(ctx, ctx.expertTeam, id, events.RECORD_ESCALATION_OUTCOME());
  const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31' });
  expect(res.statusCode, res.body).toBe(200);
  report = res.json();
});
afterAll(() => ctx.close());

describe('the escalations of the signalering', () => {
  it('counts them by destination and by whether the answer came before the deadline passed', () => {
    const cells = (spec: Record<string, number>) =>
      Object.entries(spec).map(([key, count]) => ({ key, count, suppressed: false }));
    expect(report.escalations).toEqual({
      total: 15,
      byTo: cells({ ben: 5, municipality_mandate: 5, other: 5 }),
      byAnswer: cells({ in_time: 5, late: 5, unanswered: 5 }),
    });
  });

  it('counts the passed escalation deadlines among the deadlines: the ten not answered within 21 days', () => {
    expect(report.deadlines.passedByDeadline).toContainEqual({ key: 'escalation', count: 10, suppressed: false });
  });
});
