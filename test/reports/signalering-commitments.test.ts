/**
 * The §6.1 figures of the signalering, with cells large enough to show: twenty commitments made
 * in January 2026, ten at an overleg and ten in escalation outcomes; five settled before their
 * deadline passed, five after, five withdrawn with their case, five still open; and the cases
 * that ended by how they ended (closedAs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { apply } from '../support/http.ts';

const DAY = 86_400_000;
let ctx: TestContext;
let report: Record<string, any>;

const promises = (n: number, dueAt: string) => Array.from({ length: n }, (_, i) =>
  ({ organisation: `Organisatie ${i + 1}`, action: `Afspraak nummer ${i + 1}`, dueAt }));

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set('2026-01-05T09:00:00Z');
  // An overleg with ten commitments due 8 January: five settled on time, five after the deadline passed.
  const a = await ctx.caseIn('overleg_scheduled');
  const overleg = await apply(ctx, ctx.expertTeam, a, events.RECORD_OVERLEG({ commitments: promises(10, '2026-01-08') }));
  const ids = overleg.commitments.map((c) => c.id);
  for (const id of ids.slice(0, 5)) await apply(ctx, ctx.localTeam, a, events.UPDATE_COMMITMENT({ commitmentId: id, date: '2026-01-05' }));
  ctx.clock.set('2026-01-10T09:00:00Z');
  await ctx.app.scheduler.runOnce();
  for (const id of ids.slice(5)) {
    await apply(ctx, ctx.expertTeam, a, events.UPDATE_COMMITMENT({
      commitmentId: id, status: 'not_done', reason: 'Niet gelukt voor de afgesproken dag', date: '2026-01-10' }));
  }
  // Two escalations answered with five commitments each: one case is then withdrawn, the other keeps them open.
  for (const withdraw of [true, false]) {
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.ESCALATE());
    await apply(ctx, ctx.expertTeam, id, events.RECORD_ESCALATION_OUTCOME({ commitments: promises(5, '2026-01-28') }));
    if (withdraw) await apply(ctx, ctx.localTeam, id, events.WITHDRAW());
  }
  // How cases ended: five declined, five consulted, five withdrawn (with the one above).
  for (let i = 0; i < 5; i++) await apply(ctx, ctx.expertTeam, await ctx.caseIn('triage'), events.DECLINE());
  for (let i = 0; i < 5; i++) await apply(ctx, ctx.expertTeam, await ctx.caseIn('triage'), events.CONSULT());
  for (let i = 0; i < 4; i++) await apply(ctx, ctx.localTeam, await ctx.caseIn('submitted'), events.WITHDRAW());
  ctx.clock.advance(DAY);
  const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31' });
  expect(res.statusCode, res.body).toBe(200);
  report = res.json();
});
afterAll(() => ctx.close());

const cells = (spec: Record<string, number>) =>
  Object.entries(spec).map(([key, count]) => ({ key, count, suppressed: false }));

describe('the commitments of the signalering (§6.1)', () => {
  it('counts them by where they were made and by how they were settled, as of the end of the period', () => {
    expect(report.commitments).toEqual({
      total: 20,
      bySource: cells({ overleg: 10, escalation: 10 }),
      bySettlement: cells({ in_time: 5, late: 5, withdrawn: 5, open: 5 }),
    });
  });

  it('counts the passed commitment deadlines among the deadlines: the case whose five were late', () => {
    expect(report.deadlines.passedByDeadline).toContainEqual({ key: 'commitment', count: null, suppressed: true });
  });

  it('counts the cases that ended in the period by how they ended (closedAs)', () => {
    const byKey = Object.fromEntries(report.decisions.closedByHowItEnded.map((c: { key: string; count: number }) => [c.key, c.count]));
    expect(byKey).toMatchObject({ declined: 5, consulted: 5, withdrawn: 5 });
  });

  it('the printable report shows them in Dutch', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31',
      headers: { accept: 'text/html' } });
    expect(res.body).toContain('<h2>Afspraken</h2>');
    expect(res.body).toContain('Uitkomst van een opschaling');
    expect(res.body).toContain('Consultatie gegeven');
  });
});
