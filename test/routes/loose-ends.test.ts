/**
 * No loose ends over HTTP (DESIGN §6.1), as a new user meets them, on either store: texts that
 * explain nothing are refused naming the field, a case does not end with its escalation or a
 * commitment open, commitments are followed by their own deadlines, and a closed case says how it
 * ended. Every refusal leaves the case exactly as it was.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXPLAINING_TEXTS } from '../../machines/referral.rules.ts';
import type { EventType } from '../../machines/referral.schemas.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { apply, expectProblem, footprint, readCase, readTrail } from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set('2026-01-05T09:00:00Z'); });

async function expectRefused(id: string, event: object, code: Parameters<typeof expectProblem>[2], field?: string,
  caller: Caller = ctx.expertTeam) {
  const before = await footprint(ctx, id);
  const problem = expectProblem(await ctx.send(caller, id, event), 422, code);
  if (field) expect(problem.invalidParams).toEqual([{ name: field, reason: expect.any(String) }]);
  expect(await footprint(ctx, id), 'a refusal changes nothing').toEqual(before);
}

/** Where each event of §6.1 with a required text can be sent, and by whom. */
const WHERE: Partial<Record<EventType, { state: Parameters<TestContext['caseIn']>[0]; caller?: () => Caller }>> = {
  ACCEPT: { state: 'triage' }, DECLINE: { state: 'triage' }, CONSULT: { state: 'triage' },
  REQUEST_INFORMATION: { state: 'triage' },
  PROVIDE_INFORMATION: { state: 'awaiting_information', caller: () => ctx.localTeam },
  REQUEST_REASSESSMENT: { state: 'follow_up' }, WITHDRAW: { state: 'triage' }, ESCALATE: { state: 'triage' },
  RECORD_OVERLEG: { state: 'overleg_scheduled' }, ISSUE_ADVICE: { state: 'advising' },
};

describe('REASON_REQUIRED: every required free text of §6.1', () => {
  const texts = Object.entries(EXPLAINING_TEXTS).flatMap(([type, paths]) =>
    (paths ?? []).filter((p) => !p.includes('.')).map((path) => [type as EventType, path] as const));

  it('covers the twelve texts the design lists', () => {
    expect(texts.map(([t, p]) => `${t}.${p}`).sort()).toEqual([
      'ACCEPT.rationale', 'CONSULT.advice', 'DECLINE.adviceToReferrer', 'DECLINE.reason', 'ESCALATE.question',
      'ESCALATE.reason', 'ISSUE_ADVICE.summary', 'PROVIDE_INFORMATION.answer', 'RECORD_OVERLEG.analysis',
      'REQUEST_INFORMATION.question', 'REQUEST_REASSESSMENT.reason', 'WITHDRAW.reason',
    ]);
  });

  it.each(texts)('%s.%s given as "." or "ok ok" is 422 REASON_REQUIRED naming the field; nothing changes', async (type, path) => {
    const where = WHERE[type]!;
    const id = await ctx.caseIn(where.state);
    for (const bad of ['.', 'ok ok']) {
      await expectRefused(id, (events[type] as (x: object) => object)({ [path]: bad }), 'REASON_REQUIRED', path,
        where.caller?.() ?? ctx.expertTeam);
    }
  });
});

describe('no case ends with its escalation open (§6.1)', () => {
  it('follow_up with an open escalation: CLOSE is ESCALATION_OPEN; with escalationWithdrawn and a reason it closes, escalation withdrawn', async () => {
    const id = await ctx.caseIn('follow_up');
    const { helpItems } = await readCase(ctx, id);
    for (const item of helpItems) await apply(ctx, ctx.localTeam, id, events.UPDATE_HELP_ITEM({ itemId: item.id }));
    await apply(ctx, ctx.expertTeam, id, events.ESCALATE());
    await expectRefused(id, events.CLOSE(), 'ESCALATION_OPEN');
    await expectRefused(id, events.CLOSE({ escalationWithdrawn: { reason: 'ok ok' } }), 'REASON_REQUIRED', 'escalationWithdrawn.reason');
    const closed = await apply(ctx, ctx.expertTeam, id,
      events.CLOSE({ escalationWithdrawn: { reason: 'The place came free, the BEN is not needed' } }));
    expect(closed).toMatchObject({ state: 'closed', closedAs: 'help_in_place', deadlines: [] });
    expect(closed.escalation).toMatchObject({ status: 'withdrawn', withdrawnReason: 'The place came free, the BEN is not needed', dueAt: null });
  });

  it('WITHDRAW withdraws an open escalation with the case\'s reason', async () => {
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.ESCALATE());
    const withdrawn = await apply(ctx, ctx.localTeam, id, events.WITHDRAW());
    expect(withdrawn).toMatchObject({ state: 'closed', closedAs: 'withdrawn', escalation: { status: 'withdrawn', withdrawnReason: 'Family moved away' } });
  });
});

describe('commitments are followed until settled (§6.1)', () => {
  it('an overleg and an escalation outcome give two open commitments with deadlines; CLOSE waits until both are settled; the local team settles its own', async () => {
    const id = await ctx.caseIn('overleg_scheduled');
    const recorded = await apply(ctx, ctx.expertTeam, id, events.RECORD_OVERLEG({
      commitments: [{ organisation: 'Wijkteam Noord', action: 'Visit the family with the school', dueAt: '2026-01-09' }],
    }));
    expect(recorded.deadlines).toContainEqual({ name: 'advice', dueAt: '2026-01-19T09:00:00.000Z' });
    await apply(ctx, ctx.expertTeam, id, events.ESCALATE({ to: 'municipality_mandate', target: 'Gemeente Amsterdam' }));
    await expectRefused(id, events.RECORD_ESCALATION_OUTCOME({
      commitments: [{ organisation: 'Gemeente Amsterdam', action: 'Decide', dueAt: '2026-01-04' }] }), 'DATE_ORDER', 'commitments.0.dueAt');
    const answered = await apply(ctx, ctx.expertTeam, id, events.RECORD_ESCALATION_OUTCOME({
      commitments: [{ organisation: 'Gemeente Amsterdam', action: 'Issue the decision on the combined place', dueAt: '2026-01-20' }],
    }));
    expect(answered.commitments).toEqual([
      expect.objectContaining({ source: 'overleg', organisation: 'Wijkteam Noord', dueAt: '2026-01-09', status: 'open' }),
      expect.objectContaining({ source: 'escalation', organisation: 'Gemeente Amsterdam', dueAt: '2026-01-20', status: 'open' }),
    ]);
    const [fromOverleg, fromEscalation] = answered.commitments.map((c) => c.id);
    expect(answered.deadlines).toEqual(expect.arrayContaining([
      { name: 'commitment', commitmentId: fromOverleg, dueAt: '2026-01-09T23:00:00.000Z' },
      { name: 'commitment', commitmentId: fromEscalation, dueAt: '2026-01-20T23:00:00.000Z' },
    ]));
    expect(answered.allowedEvents).toContain('UPDATE_COMMITMENT');

    // The overleg's commitment passes its day: the case is overdue with it, its state unchanged.
    ctx.clock.set('2026-01-10T08:00:00Z');
    await ctx.app.scheduler.runOnce();
    const overdue = await readCase(ctx, id);
    expect(overdue).toMatchObject({ state: 'advising', overdue: true });
    expect(overdue.overdueDeadlines).toContainEqual({ name: 'commitment', commitmentId: fromOverleg, dueAt: '2026-01-09T23:00:00.000Z' });
    const passed = (await readTrail(ctx, id)).entries.at(-1)!;
    expect(passed).toMatchObject({ type: 'DEADLINE_PASSED', payload: { deadline: 'commitment', commitmentId: fromOverleg } });

    await apply(ctx, ctx.expertTeam, id, events.ISSUE_ADVICE());
    const reported = await apply(ctx, ctx.localTeam, id, events.REPORT_PROGRESS());
    expect(reported.state).toBe('follow_up');
    await expectRefused(id, events.CLOSE({ outcome: 'other', explanation: 'The family chose a private provider' }), 'COMMITMENT_OPEN');
    await expectRefused(id, events.UPDATE_COMMITMENT({ commitmentId: '00000000-0000-4000-8000-000000000bad' }), 'UNKNOWN_COMMITMENT', 'commitmentId');
    await expectRefused(id, events.UPDATE_COMMITMENT({ commitmentId: fromOverleg, status: 'not_done', reason: 'no' }),
      'REASON_REQUIRED', 'reason', ctx.localTeam);

    const own = await apply(ctx, ctx.localTeam, id, events.UPDATE_COMMITMENT({ commitmentId: fromOverleg, date: '2026-01-10' }));
    expect(own.commitments[0]).toMatchObject({ status: 'done', settledOn: '2026-01-10' });
    expect(own.overdue).toBe(false);
    await expectRefused(id, events.UPDATE_COMMITMENT({ commitmentId: fromOverleg }), 'COMMITMENT_SETTLED', 'commitmentId', ctx.localTeam);
    await expectRefused(id, events.CLOSE({ outcome: 'other', explanation: 'The family chose a private provider' }), 'COMMITMENT_OPEN');
    const settled = await apply(ctx, ctx.expertTeam, id, events.UPDATE_COMMITMENT({
      commitmentId: fromEscalation, status: 'not_done', reason: 'The decision was postponed to February', date: '2026-01-10' }));
    expect(settled.allowedEvents).not.toContain('UPDATE_COMMITMENT');
    expect(settled.deadlines.filter((d) => d.name === 'commitment')).toEqual([]);
    await expectRefused(id, events.CLOSE({ outcome: 'other' }), 'REASON_REQUIRED', 'explanation');
    const closed = await apply(ctx, ctx.expertTeam, id, events.CLOSE({ outcome: 'other', explanation: 'The family chose a private provider' }));
    expect(closed).toMatchObject({ state: 'closed', closedAs: 'other' });
  });
});

describe('a closed case says how it ended: closedAs (§6.1)', () => {
  it('is null while open; declined, consulted, withdrawn and the outcome of CLOSE once closed', async () => {
    const open = await ctx.caseIn('triage');
    expect((await readCase(ctx, open)).closedAs).toBeNull();
    expect((await apply(ctx, ctx.expertTeam, open, events.DECLINE())).closedAs).toBe('declined');
    const consulted = await ctx.caseIn('triage');
    expect((await apply(ctx, ctx.expertTeam, consulted, events.CONSULT())).closedAs).toBe('consulted');
    const withdrawn = await ctx.caseIn('submitted');
    expect((await apply(ctx, ctx.localTeam, withdrawn, events.WITHDRAW())).closedAs).toBe('withdrawn');
    const closed = await ctx.caseIn('closed');
    expect((await readCase(ctx, closed)).closedAs).toBe('help_in_place');
    // The referring local team reads it too.
    expect((await readCase(ctx, open, ctx.localTeam)).closedAs).toBe('declined');
  });
});

describe('cases of machine 2.0.0 keep stepping as they did (§6)', () => {
  it('a 2.0.0 case still takes "." as a rationale and closes with its escalation open', async () => {
    const id = await ctx.caseIn('triage');
    await ctx.sql('UPDATE cases SET machine_version = \'2.0.0\' WHERE id = ?', id);
    const accepted = await apply(ctx, ctx.expertTeam, id, events.ACCEPT({ rationale: '.' }));
    expect(accepted).toMatchObject({ state: 'planning_overleg', machineVersion: '2.0.0' });
    await apply(ctx, ctx.expertTeam, id, events.ESCALATE());
    const withdrawn = await apply(ctx, ctx.expertTeam, id, events.WITHDRAW({ reason: 'ok' }));
    expect(withdrawn).toMatchObject({ state: 'closed', closedAs: 'withdrawn', commitments: [] });
  });
});
