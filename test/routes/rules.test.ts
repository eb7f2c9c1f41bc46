/**
 * The IGJ rules with their own 422 codes (DESIGN §3): each code answers exactly when its rule is
 * broken, and a refused request changes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaseSubmissionInput, EventInputOf } from '../../machines/referral.schemas.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import {
  API, apply, expectProblem, expectView, footprint, listAllIds,
} from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set('2026-01-05T09:00:00Z'); });

type Consent = CaseSubmissionInput['consent'];
type Birth = { birthYear: number } | { birthMonth: string };
const submit = (birth: Birth, consent: Consent, extra: object = {}) => ctx.call(ctx.localTeam, {
  method: 'POST', url: `${API}/cases`,
  payload: submission({
    subject: { reference: 'WN-2026-0099', ...birth, municipalityCode: 'GM0363', ...extra },
    consent,
  }),
});

/** Submits and expects the answer; a refusal must leave the list of cases as it was. */
async function expectSubmission(birth: Birth, consent: Consent, expected: 201 | 422,
  code: 'CONSENT_REQUIRED' | 'AGE_OUT_OF_RANGE' = 'CONSENT_REQUIRED', extra: object = {}) {
  const before = await listAllIds(ctx, ctx.localTeam);
  const res = await submit(birth, consent, extra);
  if (expected === 201) {
    expectView(res, 201);
    expect(await listAllIds(ctx, ctx.localTeam)).toHaveLength(before.length + 1);
  } else {
    expectProblem(res, 422, code);
    expect(await listAllIds(ctx, ctx.localTeam)).toEqual(before);
  }
}

describe('POST /api/v1/cases: CONSENT_REQUIRED for every age the youth may have (5 January 2026)', () => {
  it.each([
    // under 12: the parents
    [{ birthMonth: '2025-11' }, '0', { youth: 'not_asked', parents: 'given' }, 201],
    [{ birthMonth: '2014-06' }, '11', { youth: 'refused', parents: 'given' }, 201],
    [{ birthMonth: '2014-06' }, '11', { youth: 'given', parents: 'refused' }, 422],
    [{ birthMonth: '2014-06' }, '11', { youth: 'given', parents: 'not_asked' }, 422],
    // 12 to 15: the youth and the parents
    [{ birthMonth: '2013-06' }, '12', { youth: 'given', parents: 'given' }, 201],
    [{ birthMonth: '2013-06' }, '12', { youth: 'refused', parents: 'given' }, 422],
    [{ birthMonth: '2010-06' }, '15', { youth: 'given', parents: 'not_asked' }, 422],
    // 16 and over: the youth
    [{ birthMonth: '2009-12' }, '16', { youth: 'given', parents: 'refused' }, 201],
    [{ birthMonth: '2009-12' }, '16', { youth: 'refused', parents: 'given' }, 422],
    // a birth year leaves two ages, and consent must hold for both
    [{ birthYear: 2014 }, '11 or 12', { youth: 'refused', parents: 'given' }, 422],
    [{ birthYear: 2014 }, '11 or 12', { youth: 'given', parents: 'given' }, 201],
    [{ birthYear: 2010 }, '15 or 16', { youth: 'given', parents: 'refused' }, 422],
    [{ birthYear: 2009 }, '16 or 17', { youth: 'given', parents: 'refused' }, 201],
    // born this very month: the birthday may still come
    [{ birthMonth: '2010-01' }, '15 or 16', { youth: 'given', parents: 'refused' }, 422],
  ] as const)('%o (age %s) with consent %o answers %i', async (birth, _age, consent, expected) => {
    await expectSubmission(birth, consent, expected);
  });

  it.each(['', '   ', '\t\n ', '.', 'n.v.t.', '1234567890'])('does not count %j as a legal ground', async (legalGround) => {
    await expectSubmission({ birthMonth: '2015-06' }, { youth: 'not_asked', parents: 'refused', legalGround }, 422);
  });

  it.each([
    [{ birthMonth: '2015-06' }, { youth: 'not_asked', parents: 'refused' }],
    [{ birthYear: 2013 }, { youth: 'refused', parents: 'given' }],
    [{ birthMonth: '2009-03' }, { youth: 'refused', parents: 'refused' }],
  ] as const)('accepts a legal ground that explains itself instead of consent (%o)', async (birth, consent) => {
    await expectSubmission(birth, { ...consent, legalGround: '  Art. 7.3.11 lid 4 Jeugdwet  ' }, 201);
    await expectSubmission(birth, {
      ...consent, legalGround: { basis: 'child_protection_measure', explanation: 'OTS since March, the GI consents' },
    }, 201);
  });

  it('counts the ages on the submission day: on 3 December 2026 (the issue\'s examples)', async () => {
    ctx.clock.set('2026-12-03T10:00:00Z');
    const youthOnly = { youth: 'given', parents: 'refused' } as const;
    await expectSubmission({ birthMonth: '2010-11' }, youthOnly, 201); // 16 for sure
    await expectSubmission({ birthYear: 2010 }, youthOnly, 422); // 15 or 16
    await expectSubmission({ birthMonth: '2010-12' }, youthOnly, 422); // 15 or 16
  });

  it('counts the day in Europe/Amsterdam: 23:30 UTC on 31 December is already the next year', async () => {
    ctx.clock.set('2026-12-31T23:30:00Z'); // 00:30 on 1 January 2027 in Amsterdam
    await expectSubmission({ birthMonth: '2010-12' }, { youth: 'given', parents: 'refused' }, 201); // 16
    ctx.clock.set('2026-12-31T22:30:00Z'); // 23:30 on 31 December 2026: every December birthday has come
    await expectSubmission({ birthMonth: '2010-12' }, { youth: 'given', parents: 'refused' }, 201);
    ctx.clock.set('2026-12-30T22:30:00Z'); // 30 December: one born on the 31st is still 15
    await expectSubmission({ birthMonth: '2010-12' }, { youth: 'given', parents: 'refused' }, 422);
  });
});

describe('POST /api/v1/cases: AGE_OUT_OF_RANGE', () => {
  const both = { youth: 'given', parents: 'given' } as const;
  it.each([
    [{ birthYear: 1950 }, 'a 76-year-old'],
    [{ birthMonth: '2026-02' }, 'a child born next month'],
    [{ birthYear: 2026 }, 'a birth year that may lie in the future'],
    [{ birthMonth: '2003-06' }, 'a youth of 22 for sure, but 23 next'],
  ] as const)('refuses %o (%s)', async (birth, _what) => {
    ctx.clock.set('2026-01-05T09:00:00Z');
    await expectSubmission(birth, both, 422, 'AGE_OUT_OF_RANGE');
  });

  it('takes 18 to 22 only with extended care (verlengde jeugdhulp)', async () => {
    await expectSubmission({ birthMonth: '2007-06' }, both, 422, 'AGE_OUT_OF_RANGE');
    await expectSubmission({ birthMonth: '2007-06' }, both, 201, 'AGE_OUT_OF_RANGE', { extendedCare: true });
    await expectSubmission({ birthYear: 2008 }, both, 422, 'AGE_OUT_OF_RANGE'); // 17 or 18
    await expectSubmission({ birthMonth: '2004-02' }, both, 201, 'AGE_OUT_OF_RANGE', { extendedCare: true }); // 21
    await expectSubmission({ birthMonth: '2003-01' }, both, 422, 'AGE_OUT_OF_RANGE', { extendedCare: true }); // 22 or 23
  });

  it('answers 400, not 422, when the submission is also malformed', async () => {
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`,
      payload: submission({
        subject: { reference: 'X', birthYear: 2015, municipalityCode: 'Amsterdam' },
        consent: { youth: 'refused', parents: 'refused' },
      }),
    });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain('subject.municipalityCode');
  });
});

/** Sends an event that must be refused with this rule code, and checks that nothing changed. */
async function expectRule(id: string, event: object, code: 'PARTICIPATION_REASON_REQUIRED' |
  'FIT_RATIONALE_REQUIRED' | 'FUNDER_REQUIRED') {
  const before = await footprint(ctx, id);
  expectProblem(await ctx.send(ctx.expertTeam, id, event), 422, code);
  expect(await footprint(ctx, id)).toEqual(before);
}

type Schedule = Partial<EventInputOf<'SCHEDULE_OVERLEG'>>;
type RecordOverleg = Partial<EventInputOf<'RECORD_OVERLEG'>>;
type Participant = EventInputOf<'SCHEDULE_OVERLEG'>['participants'][number];
const youth: Participant = { role: 'youth' };
const parents: Participant = { role: 'parents' };
const professional: Participant = { role: 'professional', organisation: 'GGZ Noord', discipline: 'psychiatry' };

describe('POST /api/v1/cases/{id}/events: SCHEDULE_OVERLEG and PARTICIPATION_REASON_REQUIRED', () => {
  it.each([
    ['the youth is neither invited nor listed as not invited', { participants: [parents, professional] }],
    ['the parents are neither invited nor listed as not invited', { participants: [youth, professional] }],
    ['neither youth nor parents take part', { participants: [professional] }],
    ['the youth is not invited and no reason is given', {
      participants: [parents, professional], notInvited: [{ role: 'youth' }] }],
    ['the youth is not invited with an empty reason', {
      participants: [parents, professional], notInvited: [{ role: 'youth', reason: '' }] }],
    ['the youth is not invited with a whitespace reason', {
      participants: [parents, professional], notInvited: [{ role: 'youth', reason: ' \t ' }] }],
    ['only the parents have a reason while the youth is missing', {
      participants: [professional], notInvited: [{ role: 'parents', reason: 'Not reachable' }] }],
  ] satisfies [string, Schedule][])('answers 422 when %s', async (_what, extra) => {
    const id = await ctx.caseIn('planning_overleg');
    await expectRule(id, events.SCHEDULE_OVERLEG(extra), 'PARTICIPATION_REASON_REQUIRED');
  });

  it.each([
    ['both take part', {}],
    ['the youth is not invited with a reason', {
      participants: [parents, professional],
      notInvited: [{ role: 'youth', reason: 'Too anxious; heard at home beforehand' }] }],
    ['neither is invited, both with a reason', {
      participants: [professional],
      notInvited: [{ role: 'youth', reason: 'Hospitalised' }, { role: 'parents', reason: 'Abroad for work until March' }] }],
  ] satisfies [string, Schedule][])('schedules the overleg when %s', async (_what, extra) => {
    const id = await ctx.caseIn('planning_overleg');
    const view = await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG(extra));
    expect(view.state).toBe('overleg_scheduled');
  });
});

describe('POST /api/v1/cases/{id}/events: RECORD_OVERLEG and PARTICIPATION_REASON_REQUIRED', () => {
  it.each([
    ['the youth was not involved and no reason is given', { youth: { participation: 'not_involved' } }],
    ['the youth was not involved with an empty reason', { youth: { participation: 'not_involved', reason: '' } }],
    ['the parents were not involved with a whitespace reason', {
      parents: { participation: 'not_involved', reason: '   ' } }],
    ['both were not involved, only the youth with a reason', {
      youth: { participation: 'not_involved', reason: 'In crisis care' },
      parents: { participation: 'not_involved' } }],
  ] satisfies [string, RecordOverleg][])('answers 422 when %s', async (_what, extra) => {
    const id = await ctx.caseIn('overleg_scheduled');
    await expectRule(id, events.RECORD_OVERLEG(extra), 'PARTICIPATION_REASON_REQUIRED');
  });

  it.each([
    ['the youth was present and the parents heard beforehand', {}],
    ['the youth was represented', { youth: { participation: 'represented' } }],
    ['the parents were not involved with a reason', {
      parents: { participation: 'not_involved', reason: 'Contact refused by court order' } }],
  ] satisfies [string, RecordOverleg][])('records the overleg when %s', async (_what, extra) => {
    const id = await ctx.caseIn('overleg_scheduled');
    const view = await apply(ctx, ctx.expertTeam, id, events.RECORD_OVERLEG(extra));
    expect(view.state).toBe('advising');
  });
});

type HelpItem = EventInputOf<'ISSUE_ADVICE'>['helpItems'][number];
const item = (changes: Partial<HelpItem>, omit: (keyof HelpItem)[] = []): HelpItem => {
  const result: Record<string, unknown> = { ...helpItem(0), ...changes };
  for (const key of omit) delete result[key];
  return result as HelpItem;
};
const existingOffer = (changes: Partial<HelpItem> = {}, omit: (keyof HelpItem)[] = []) =>
  item({ kind: 'existing_offer', provider: 'GGZ Noord', ...changes }, omit);
const advice = (...helpItems: HelpItem[]) => events.ISSUE_ADVICE({ helpItems });

describe('POST /api/v1/cases/{id}/events: ISSUE_ADVICE and FIT_RATIONALE_REQUIRED', () => {
  it.each([
    ['missing', item({}, ['fitRationale'])],
    ['empty', item({ fitRationale: '' })],
    ['whitespace only', item({ fitRationale: '  \n ' })],
    ['missing on an existing offer', existingOffer({}, ['fitRationale'])],
  ] as const)('answers 422 when a help item has its fitRationale %s', async (_what, helpItemWithout) => {
    const id = await ctx.caseIn('advising');
    await expectRule(id, advice(helpItemWithout), 'FIT_RATIONALE_REQUIRED');
  });

  it('answers 422 when only the second of two help items lacks a fitRationale', async () => {
    const id = await ctx.caseIn('advising');
    await expectRule(id, advice(helpItem(0), existingOffer({ fitRationale: ' ' })), 'FIT_RATIONALE_REQUIRED');
  });

  it('answers FIT_RATIONALE_REQUIRED, the first rule listed, when a help item also lacks a funder', async () => {
    const id = await ctx.caseIn('advising');
    await expectRule(id, advice(item({ fitRationale: '', financing: [] })), 'FIT_RATIONALE_REQUIRED');
  });
});

describe('POST /api/v1/cases/{id}/events: ISSUE_ADVICE and FUNDER_REQUIRED', () => {
  it.each([
    ['no financing at all', item({}, ['financing'])],
    ['an empty financing list', item({ financing: [] })],
    ['financing without a funder', item({ financing: [{ law: 'jeugdwet' }] })],
    ['financing with an empty funder', item({ financing: [{ law: 'jeugdwet', funder: '' }] })],
    ['financing with a whitespace funder', item({ financing: [{ law: 'wmo', funder: '   ' }] })],
    ['several financing lines, none naming a funder', item({
      financing: [{ law: 'jeugdwet', funder: ' ' }, { law: 'onderwijs' }] })],
  ] as const)('answers 422 for a custom arrangement with %s', async (_what, unfunded) => {
    const id = await ctx.caseIn('advising');
    await expectRule(id, advice(unfunded), 'FUNDER_REQUIRED');
  });

  it('answers 422 when the unfunded custom arrangement is the second help item', async () => {
    const id = await ctx.caseIn('advising');
    await expectRule(id, advice(existingOffer({ financing: [] }), item({ financing: [] })), 'FUNDER_REQUIRED');
  });

  it.each([
    ['a custom arrangement with one named funder among blank ones', item({
      financing: [{ law: 'jeugdwet', funder: '' }, { law: 'wlz', funder: 'Zorgkantoor' }] })],
    ['an existing offer without financing', existingOffer({}, ['financing'])],
    ['an existing offer with an empty financing list', existingOffer({ financing: [] })],
    ['an existing offer with a blank funder', existingOffer({ financing: [{ law: 'zvw', funder: ' ' }] })],
  ] as const)('issues the advice for %s', async (_what, funded) => {
    const id = await ctx.caseIn('advising');
    const view = await apply(ctx, ctx.expertTeam, id, advice(funded));
    expect(view.state).toBe('follow_up');
  });
});
