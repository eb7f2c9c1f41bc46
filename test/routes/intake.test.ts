/**
 * Intake that follows the law (DESIGN §5.1), checked over HTTP as a local team would meet it:
 * real municipalities on the day of the case, dates in order, reasons that explain something,
 * consent that can change, a school status that can change, clean text. Every refusal leaves
 * everything as it was.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaseSubmissionInput } from '../../machines/referral.schemas.ts';
import { createTestContext, REGION, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  API, apply, expectProblem, expectView, footprint, listAllIds, readCase, readTrail,
} from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set('2026-12-03T10:00:00Z'); });

type Subject = CaseSubmissionInput['subject'];
const withSubject = (changes: Partial<Subject>, extra: Partial<CaseSubmissionInput> = {}) =>
  submission({ ...extra, subject: { ...submission().subject, ...changes } as Subject });
const post = (body: unknown) => ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: body as object });

/** Expects the submission refused with this status and code, and no case added. */
async function expectRefused(body: unknown, status: 400 | 422, code: Parameters<typeof expectProblem>[2]) {
  const before = await listAllIds(ctx, ctx.localTeam);
  const problem = expectProblem(await post(body), status, code);
  expect(await listAllIds(ctx, ctx.localTeam)).toEqual(before);
  return problem;
}

describe('municipalities from the CBS list, on the day of the case', () => {
  it('refuses GM9999 with UNKNOWN_MUNICIPALITY, naming the field', async () => {
    const problem = await expectRefused(withSubject({ municipalityCode: 'GM9999' }), 422, 'UNKNOWN_MUNICIPALITY');
    expect(problem.invalidParams?.map((p) => p.name)).toEqual(['subject.municipalityCode']);
  });

  it('takes Weesp (GM0457) in February 2022, before it joined Amsterdam, and not in 2026', async () => {
    const weesp = withSubject({ municipalityCode: 'GM0457' }, { school: { status: 'attending' } });
    ctx.clock.set('2022-02-15T10:00:00Z');
    expectView(await post(weesp), 201);
    ctx.clock.set('2022-03-24T10:00:00Z'); // the day of the merger
    await expectRefused(weesp, 422, 'UNKNOWN_MUNICIPALITY');
    ctx.clock.set('2026-12-03T10:00:00Z');
    await expectRefused(weesp, 422, 'UNKNOWN_MUNICIPALITY');
  });

  it('takes Voorne aan Zee (GM1992) from 2023 and Brielle (GM0501) only until then', async () => {
    expectView(await post(withSubject({ municipalityCode: 'GM1992' })), 201);
    await expectRefused(withSubject({ municipalityCode: 'GM0501' }), 422, 'UNKNOWN_MUNICIPALITY');
  });

  it('accepts only the region\'s own municipalities once the region has a list', async () => {
    await ctx.regions.set(REGION, { municipalities: ['GM0153', 'GM0164'] });
    try {
      const problem = await expectRefused(withSubject({ municipalityCode: 'GM0363' }), 422, 'MUNICIPALITY_NOT_IN_REGION');
      expect(problem.invalidParams?.[0]?.name).toBe('subject.municipalityCode');
      // A code that does not exist at all is unknown first, whatever the region's list says.
      await expectRefused(withSubject({ municipalityCode: 'GM9999' }), 422, 'UNKNOWN_MUNICIPALITY');
      expectView(await post(withSubject({ municipalityCode: 'GM0153' })), 201);
    } finally {
      await ctx.regions.set(REGION, { municipalities: null });
    }
    expectView(await post(withSubject({ municipalityCode: 'GM0363' })), 201);
  });
});

describe('dates in order (calendar days, Europe/Amsterdam): 422 DATE_ORDER naming the field', () => {
  it('refuses a school absence that starts after today, and takes one that starts today', async () => {
    const problem = await expectRefused(
      submission({ school: { status: 'not_attending', notAttendingSince: '2026-12-04' } }), 422, 'DATE_ORDER');
    expect(problem.invalidParams).toEqual([expect.objectContaining({ name: 'school.notAttendingSince' })]);
    expectView(await post(submission({ school: { status: 'not_attending', notAttendingSince: '2026-12-03' } })), 201);
  });

  async function expectDateOrder(id: string, event: object, field: string) {
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, event), 422, 'DATE_ORDER');
    expect(problem.invalidParams?.map((p) => p.name)).toEqual([field]);
    expect(await footprint(ctx, id)).toEqual(before);
  }

  it('refuses an overleg planned before the day the case was accepted', async () => {
    const id = await ctx.caseIn('planning_overleg'); // accepted on 3 December 2026
    await expectDateOrder(id, events.SCHEDULE_OVERLEG({ scheduledAt: '2026-12-02T15:00:00Z' }), 'scheduledAt');
    // 23:30 UTC on 2 December is 00:30 on 3 December in Amsterdam: the same day as the acceptance.
    await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG({ scheduledAt: '2026-12-02T23:30:00Z' }));
  });

  it('refuses an overleg held in 2019 for a case of 2026, and one held next week', async () => {
    const id = await ctx.caseIn('planning_overleg');
    await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG({ scheduledAt: '2026-12-03T13:00:00Z' }));
    await expectDateOrder(id, events.RECORD_OVERLEG({ heldAt: '2019-05-01T10:00:00Z' }), 'heldAt');
    await expectDateOrder(id, events.RECORD_OVERLEG({ heldAt: '2026-12-10T10:00:00Z' }), 'heldAt');
    const view = await apply(ctx, ctx.expertTeam, id, events.RECORD_OVERLEG({ heldAt: '2026-12-03T09:00:00Z' }));
    expect(view.state).toBe('advising');
  });

  it('refuses a bridging plan reviewed before today', async () => {
    const id = await ctx.caseIn('advising');
    ctx.clock.set('2026-12-10T10:00:00Z');
    await apply(ctx, ctx.expertTeam, id, events.ISSUE_ADVICE({
      helpItems: [{ ...events.ISSUE_ADVICE().helpItems[0]!, waitingWeeks: 8 }] }));
    await expectDateOrder(id, events.SET_BRIDGING_PLAN({ reviewAt: '2026-12-09' }), 'reviewAt');
    const view = await apply(ctx, ctx.expertTeam, id, events.SET_BRIDGING_PLAN({ reviewAt: '2026-12-10' }));
    expect(view.state).toBe('follow_up');
  });
});

describe('reasons and explanations that explain something', () => {
  it('refuses "." as the reason the youth is not invited, and takes a coded reason', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const without = { participants: [{ role: 'parents' as const }], notInvited: [] };
    for (const reason of ['.', '     -    ', { code: 'other', explanation: 'n.v.t.' }]) {
      const before = await footprint(ctx, id);
      expectProblem(await ctx.send(ctx.expertTeam, id, events.SCHEDULE_OVERLEG({
        ...without, notInvited: [{ role: 'youth', reason: reason as never }] })), 422, 'PARTICIPATION_REASON_REQUIRED');
      expect(await footprint(ctx, id)).toEqual(before);
    }
    const view = await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG({
      ...without, notInvited: [{ role: 'youth', reason: { code: 'safety', explanation: '' } }] }));
    expect(view.state).toBe('overleg_scheduled');
  });

  it('answers 400 for a reason code outside the list', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const res = await ctx.send(ctx.expertTeam, id, events.SCHEDULE_OVERLEG({
      participants: [{ role: 'parents' }],
      notInvited: [{ role: 'youth', reason: { code: 'bored', explanation: 'Did not feel like it at all' } as never }] }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
});

describe('a safety concern says whether Veilig Thuis is involved', () => {
  it('refuses safetyConcern without safety.veiligThuis, and stores it when given', async () => {
    const problem = await expectRefused(submission({ safetyConcern: true }), 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain('safety');
    const view = expectView(await post(submission({ safetyConcern: true, safety: { veiligThuis: true } })), 201);
    expect((view.data as { submission: { safety?: unknown } }).submission.safety).toEqual({ veiligThuis: true });
  });
});

describe('UPDATE_CONSENT: consent can change, and a case without it is held', () => {
  it('holds the case after the parents withdraw consent for a child of 10, until a legal ground is recorded', async () => {
    const id = await ctx.createCase(withSubject({ birthMonth: '2016-03', birthYear: undefined }));
    await apply(ctx, ctx.expertTeam, id, events.START_TRIAGE());
    const held = await apply(ctx, ctx.localTeam, id, events.UPDATE_CONSENT({ youth: undefined, parents: 'refused' }));
    expect(held.state).toBe('triage');
    expect(held.allowedEvents.filter((e) => !['UPDATE_CONSENT', 'WITHDRAW', 'ADD_NOTE'].includes(e))).toEqual([]);
    const experts = await readCase(ctx, id);
    // ASSIGN (§6.3) too: someone owns the case while its consent is mended.
    expect([...experts.allowedEvents].sort()).toEqual(['ADD_NOTE', 'ASSIGN', 'UPDATE_CONSENT', 'WITHDRAW']);

    for (const event of [events.ACCEPT(), events.REQUEST_INFORMATION(), events.UPDATE_SCHOOL()]) {
      const before = await footprint(ctx, id);
      expectProblem(await ctx.send(ctx.expertTeam, id, event), 422, 'CONSENT_REQUIRED');
      expect(await footprint(ctx, id)).toEqual(before);
    }
    await apply(ctx, ctx.expertTeam, id, events.ADD_NOTE({ text: 'Parents withdrew consent by phone' }));

    const released = await apply(ctx, ctx.expertTeam, id, events.UPDATE_CONSENT({
      youth: undefined, legalGround: { basis: 'child_protection_measure', explanation: 'Raad voor de Kinderbescherming investigates' },
    }));
    expect(released.allowedEvents).toContain('ACCEPT');
    expect((await apply(ctx, ctx.expertTeam, id, events.ACCEPT())).state).toBe('planning_overleg');

    const trail = await readTrail(ctx, id);
    const updates = trail.entries.filter((e) => e.type === 'UPDATE_CONSENT');
    expect(updates.map((e) => e.payload)).toEqual([
      { parents: 'refused' },
      { legalGround: { basis: 'child_protection_measure', explanation: 'Raad voor de Kinderbescherming investigates' } },
    ]);
  });

  it('keeps how a consent change came in and why with the change, and refuses a source it does not know', async () => {
    const id = await ctx.caseIn('triage');
    const changed = await apply(ctx, ctx.localTeam, id, events.UPDATE_CONSENT({
      youth: undefined, parents: 'given', source: 'in_writing', reason: 'Formulier getekend bij het wijkteam',
    }));
    expect(changed.data.consentUpdates.at(-1)).toMatchObject({ parents: 'given', source: 'in_writing', reason: 'Formulier getekend bij het wijkteam' });
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.localTeam, id, { type: 'UPDATE_CONSENT', parents: 'given', source: 'by_pigeon' }),
      400, 'VALIDATION_FAILED');
    expect(JSON.stringify(problem)).toContain('source');
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('refuses an empty UPDATE_CONSENT and one on a closed case', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.localTeam, id, { type: 'UPDATE_CONSENT' }), 400, 'VALIDATION_FAILED');
    const closed = await ctx.caseIn('closed');
    expectProblem(await ctx.send(ctx.localTeam, closed, events.UPDATE_CONSENT()), 409, 'EVENT_NOT_ALLOWED');
  });
});

describe('UPDATE_SCHOOL: the school status can change after submission', () => {
  it('is sent by the local team and the expert team in an open state, refused by the inspector', async () => {
    const id = await ctx.caseIn('follow_up');
    await apply(ctx, ctx.localTeam, id, events.UPDATE_SCHOOL({ status: 'partial' }));
    await apply(ctx, ctx.expertTeam, id, events.UPDATE_SCHOOL({ status: 'attending' }));
    expectProblem(await ctx.send(ctx.inspector, id, events.UPDATE_SCHOOL()), 403, 'FORBIDDEN');
    const trail = await readTrail(ctx, id);
    expect(trail.entries.filter((e) => e.type === 'UPDATE_SCHOOL').map((e) => e.payload))
      .toEqual([{ status: 'partial' }, { status: 'attending' }]);
  });

  it('the report\'s "more than 3 months out of school" follows the latest status', async () => {
    // A fresh context: the report counts every case of the region.
    const own = await createTestContext();
    try {
      own.clock.set('2026-03-02T10:00:00Z');
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await own.createCase(submission()));
      const thuiszitters = async () => {
        const res = await own.call(own.expertTeam,
          { method: 'GET', url: `${API}/reports/signalering?from=2026-03-01&to=2026-03-31` });
        expect(res.statusCode, res.body).toBe(200);
        const cells = res.json().openAtEnd.bySchoolStatus as { key: string; count: number | null;
          breakdowns?: { byDuration: { key: string; count: number | null }[] } }[];
        const notAttending = cells.find((c) => c.key === 'not_attending');
        return {
          notAttending: notAttending?.count ?? null,
          moreThan3Months: notAttending?.breakdowns?.byDuration.find((c) => c.key === 'more_than_3_months')?.count ?? null,
          attending: cells.find((c) => c.key === 'attending')?.count ?? null,
        };
      };
      // The expert team's figures are exact (§6.2): no one attends school yet.
      expect(await thuiszitters()).toEqual({ notAttending: 6, moreThan3Months: 6, attending: 0 });
      for (const id of ids) {
        const res = await own.send(own.localTeam, id, events.UPDATE_SCHOOL({ status: 'attending' }));
        expect(res.statusCode, res.body).toBe(200);
      }
      expect(await thuiszitters()).toEqual({ notAttending: 0, moreThan3Months: 0, attending: 6 });
    } finally {
      await own.close();
    }
  });

  it('refuses a notAttendingSince after today with DATE_ORDER', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.localTeam, id,
      events.UPDATE_SCHOOL({ status: 'not_attending', notAttendingSince: '2027-01-01' })), 422, 'DATE_ORDER');
    expect(problem.invalidParams?.map((p) => p.name)).toEqual(['notAttendingSince']);
    expect(await footprint(ctx, id)).toEqual(before);
  });
});

describe('PROVIDE_INFORMATION by the expert team when the referrer is a parent or a youth', () => {
  it.each(['parent', 'youth'] as const)('is allowed when the referrer is a %s', async (kind) => {
    const id = await ctx.createCase(submission({ referrer: { kind } }));
    await apply(ctx, ctx.expertTeam, id, events.START_TRIAGE());
    await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION());
    expect((await readCase(ctx, id)).allowedEvents).toContain('PROVIDE_INFORMATION');
    expect((await apply(ctx, ctx.expertTeam, id, events.PROVIDE_INFORMATION())).state).toBe('triage');
  });

  it('is forbidden when a professional referred the case: the local team answers', async () => {
    const id = await ctx.caseIn('awaiting_information');
    expect((await readCase(ctx, id)).allowedEvents).not.toContain('PROVIDE_INFORMATION');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.expertTeam, id, events.PROVIDE_INFORMATION()), 403, 'FORBIDDEN');
    expect(await footprint(ctx, id)).toEqual(before);
    expect((await apply(ctx, ctx.localTeam, id, events.PROVIDE_INFORMATION())).state).toBe('triage');
  });
});

describe('a guardian or a protection measure: the GI takes part in the overleg, or is named with a reason', () => {
  const underGuardian = () => withSubject({ authority: 'guardian', guardianOrganisation: 'William Schrikker Stichting' });

  it('refuses a guardian without the guardian organisation', async () => {
    const problem = await expectRefused(withSubject({ authority: 'guardian' }), 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain('subject.guardianOrganisation');
  });

  it.each([
    ['with a guardian', () => underGuardian()],
    ['with an OTS', () => withSubject({ protectionMeasure: 'ots', guardianOrganisation: 'Jeugdbescherming Regio' })],
  ])('%s, SCHEDULE_OVERLEG needs the GI among participants or in notInvited', async (_what, body) => {
    const id = await ctx.createCase(body());
    for (const type of ['START_TRIAGE', 'ACCEPT'] as const) await apply(ctx, ctx.expertTeam, id, events[type]());
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.expertTeam, id, events.SCHEDULE_OVERLEG()), 422, 'PARTICIPATION_REASON_REQUIRED');
    expect(await footprint(ctx, id)).toEqual(before);
    const withGi = events.SCHEDULE_OVERLEG({
      participants: [...events.SCHEDULE_OVERLEG().participants, { role: 'guardian', organisation: 'GI' }] });
    expect((await apply(ctx, ctx.expertTeam, id, withGi)).state).toBe('overleg_scheduled');
  });

  it('takes the GI named in notInvited with a reason', async () => {
    const id = await ctx.createCase(underGuardian());
    for (const type of ['START_TRIAGE', 'ACCEPT'] as const) await apply(ctx, ctx.expertTeam, id, events[type]());
    const view = await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG({
      notInvited: [{ role: 'guardian', reason: { code: 'capacity', explanation: 'The guardian sends written input' } }] }));
    expect(view.state).toBe('overleg_scheduled');
  });
});

describe('text hygiene on every string field', () => {
  it.each([
    ['a NUL character', 'Stuck\u0000 between care and school'],
    ['an unpaired surrogate', 'Stuck \uD800 between care and school'],
    ['only zero-width characters and spaces', '\u200B \u200D\uFEFF  '],
  ])('refuses a summary with %s (400, nothing stored)', async (_what, summary) => {
    const problem = await expectRefused(submission({
      requestForHelp: { ...submission().requestForHelp, summary } }), 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain('requestForHelp.summary');
    expect(JSON.stringify(problem)).not.toContain(summary);
  });

  it('refuses a NUL in an event text as well', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Called\u0000 the school' })), 400, 'VALIDATION_FAILED');
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('stores texts NFC-normalised', async () => {
    const decomposed = 'Zoe\u0308 wil weer naar school'; // "Zoë" as e + combining diaeresis
    const view = expectView(await post(submission({
      requestForHelp: { ...submission().requestForHelp, inWordsOfYouth: decomposed } })), 201);
    const stored = (view.data as { submission: { requestForHelp: { inWordsOfYouth: string } } }).submission;
    expect(stored.requestForHelp.inWordsOfYouth).toBe('Zo\u00EB wil weer naar school');
  });

  it('refuses a text that is too long with its limit in invalidParams', async () => {
    const problem = await expectRefused(submission({ triedSoFar: 'x'.repeat(20_001) }), 400, 'VALIDATION_FAILED');
    const param = problem.invalidParams?.find((p) => p.name === 'triedSoFar');
    expect(param?.reason).toMatch(/\d{3,}/);
  });
});
