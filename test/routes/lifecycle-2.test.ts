/**
 * Lifecycle 2.0 over HTTP (DESIGN §5.2, §5.3), as an expert team meets it: help items followed
 * until they have started, and an escalation that keeps the case in the region. Every refusal
 * leaves the case as it was.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, REGION, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import { apply, expectProblem, footprint, readCase } from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set('2026-01-05T09:00:00Z'); });

const today = () => ctx.clock.now().toISOString().slice(0, 10);

async function expectRefused(id: string, event: object, status: number, code: Parameters<typeof expectProblem>[2]) {
  const before = await footprint(ctx, id);
  expectProblem(await ctx.send(ctx.expertTeam, id, event), status, code);
  expect(await footprint(ctx, id)).toEqual(before);
}

describe('help items are followed until the help has started (§5.2)', () => {
  it('takes two items through arranged to started; CLOSE help_in_place waits for both', async () => {
    const id = await ctx.caseIn('advising');
    const advised = await apply(ctx, ctx.expertTeam, id, events.ISSUE_ADVICE({
      helpItems: [helpItem(0), { ...helpItem(0), description: 'Parent coaching' }] }));
    expect(advised.helpItems.map((i) => [i.status, i.statusSince])).toEqual([['advised', today()], ['advised', today()]]);
    const [a, b] = advised.helpItems.map((i) => i.id);

    await expectRefused(id, events.CLOSE(), 422, 'FOLLOW_UP_REQUIRED');
    await expectRefused(id, events.UPDATE_HELP_ITEM({ itemId: '00000000-0000-4000-8000-000000000999' }), 422, 'UNKNOWN_HELP_ITEM');
    await expectRefused(id, events.UPDATE_HELP_ITEM({ itemId: a, status: 'not_started', reason: '.' }), 422, 'REASON_REQUIRED');
    await expectRefused(id, events.UPDATE_HELP_ITEM({ itemId: a, status: 'stopped', reason: 'Stopped after two weeks' }), 422, 'HELP_ITEM_STATUS_ORDER');
    await expectRefused(id, events.UPDATE_HELP_ITEM({ itemId: a, date: '2026-01-06' }), 422, 'DATE_ORDER');

    const arranged = await apply(ctx, ctx.localTeam, id, events.UPDATE_HELP_ITEM({
      itemId: a, status: 'arranged', decision: { date: today(), by: 'Gemeente Amsterdam' } }));
    expect(arranged.helpItems[0]).toMatchObject({ status: 'arranged', history: [{ status: 'advised' }, { status: 'arranged' }] });
    await apply(ctx, ctx.localTeam, id, events.UPDATE_HELP_ITEM({ itemId: a }));
    await expectRefused(id, events.CLOSE(), 422, 'HELP_NOT_STARTED');
    expect((await readCase(ctx, id)).deadlines.map((d) => d.name)).toContain('reassessment');

    const started = await apply(ctx, ctx.localTeam, id, events.UPDATE_HELP_ITEM({ itemId: b }));
    expect(started.helpItems.map((i) => i.status)).toEqual(['started', 'started']);
    expect(started.deadlines.map((d) => d.name)).toEqual(['checkpoint']); // the reassessment is met
    const closed = await apply(ctx, ctx.expertTeam, id, events.CLOSE());
    expect(closed.state).toBe('closed');
  });

  it('a bridging plan\'s review day passing marks the case overdue with bridging_review', async () => {
    const id = await ctx.caseIn('advising');
    await apply(ctx, ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [helpItem(6)] }));
    const planned = await apply(ctx, ctx.expertTeam, id, events.SET_BRIDGING_PLAN({ reviewAt: '2026-01-12' }));
    expect(planned.deadlines).toContainEqual({ name: 'bridging_review', dueAt: '2026-01-12T23:00:00.000Z' });
    ctx.clock.set('2026-01-12T23:00:00Z');
    await ctx.app.scheduler.runOnce();
    const after = await readCase(ctx, id);
    expect(after).toMatchObject({ state: 'follow_up', overdue: true });
    expect(after.overdueDeadlines).toContainEqual({ name: 'bridging_review', dueAt: '2026-01-12T23:00:00.000Z' });
  });
});

describe('an escalation keeps the case in the region (§5.3)', () => {
  it('keeps the state, runs its own deadline until the outcome, and refuses a second while open', async () => {
    await ctx.regions.set(REGION, { escalation: 'PT2S' });
    try {
      const id = await ctx.caseIn('planning_overleg');
      const escalated = await apply(ctx, ctx.expertTeam, id, events.ESCALATE());
      expect(escalated).toMatchObject({ state: 'planning_overleg', escalation: { status: 'open', to: 'ben' } });
      await expectRefused(id, events.ESCALATE(), 409, 'EVENT_NOT_ALLOWED');
      ctx.clock.advance(3_000);
      await ctx.app.scheduler.runOnce();
      const overdue = await readCase(ctx, id);
      expect(overdue.overdueDeadlines.map((d) => d.name)).toContain('escalation');
      const answered = await apply(ctx, ctx.expertTeam, id, events.RECORD_ESCALATION_OUTCOME({
        commitments: [{ organisation: 'BEN Noord-Nederland', action: 'Finds a place', dueAt: '2026-02-01' }] }));
      expect(answered.escalation).toMatchObject({ status: 'answered', dueAt: null, outcome: { decidedBy: 'BEN Noord-Nederland' } });
      expect(answered.overdueDeadlines).toEqual([]);
      expect((await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG())).state).toBe('overleg_scheduled');
    } finally {
      await ctx.regions.set(REGION, { escalation: 'P21D' });
    }
  });

  it('refuses a BEN for a youth who may be 22, and takes the municipality instead', async () => {
    const id = await ctx.createCase(submission({
      subject: { ...submission().subject, birthYear: undefined, birthMonth: '2004-01', extendedCare: true } as never,
    }));
    await apply(ctx, ctx.expertTeam, id, events.START_TRIAGE());
    await expectRefused(id, events.ESCALATE({ to: 'ben' }), 422, 'AGE_OUT_OF_RANGE');
    const view = await apply(ctx, ctx.expertTeam, id, events.ESCALATE({ to: 'municipality_mandate', target: 'Gemeente Amsterdam' }));
    expect(view.escalation?.to).toBe('municipality_mandate');
  });

  it('answers 400 for national, which is gone', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.expertTeam, id, events.ESCALATE({ to: 'national' as never })), 400, 'VALIDATION_FAILED');
  });
});
