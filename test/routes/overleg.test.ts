/**
 * The overleg as a meeting over HTTP (DESIGN §6.3, issue 25), on both stores: a real MDO of ten
 * with an agenda is scheduled and recorded, too many is a 400 that changes nothing, and
 * GET /cases/{id}/overleg.ics gives whoever may read the case the planned overleg as an iCalendar
 * entry with its time and reference and nothing else of the file; the console serves the same.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENDA_MAX, OVERLEG_PARTICIPANTS_MAX, type EventInputOf } from '../../machines/referral.schemas.ts';
import { applied, createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, caseUrl, expectProblem } from '../support/http.ts';
import { person, signIn } from '../console/session.ts';

type Participant = EventInputOf<'SCHEDULE_OVERLEG'>['participants'][number];

let ctx: TestContext;
beforeEach(async () => { ctx = await createTestContext(); });
afterEach(async () => { await ctx.close(); });

const professionals = (n: number): Participant[] => Array.from({ length: n }, (_, i) => ({
  role: 'professional' as const, organisation: `Zorgaanbieder ${i + 1}`, discipline: `Gedragswetenschapper ${i + 1}`,
}));
const TEN: Participant[] = [
  { role: 'youth' }, { role: 'parents' }, { role: 'guardian', organisation: 'Jeugdbescherming West', discipline: 'jeugdbeschermer' },
  ...professionals(7),
];
const AGENDA = 'Kennismaking met de jongere\nWat is er al geprobeerd\nAfspraken tot de zomer';
// The test clock starts on 2026-01-05 09:00 UTC; the overleg is a week later, 14:00 in Amsterdam.
const SCHEDULED_AT = '2026-01-12T14:00:00+01:00';

const icsUrl = (id: string) => `${caseUrl(id)}/overleg.ics`;
const unfold = (ics: string): string[] => ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
const property = (ics: string, name: string): string | undefined =>
  unfold(ics).find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))?.replace(/^[^:]*:/, '');

async function scheduled(extra: Partial<EventInputOf<'SCHEDULE_OVERLEG'>> = {}): Promise<string> {
  const id = await ctx.caseIn('planning_overleg');
  await applied(ctx, id, events.SCHEDULE_OVERLEG({ scheduledAt: SCHEDULED_AT, participants: TEN, agenda: AGENDA, ...extra }));
  return id;
}

function expectIcs(res: LightMyRequestResponse, id: string): string {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="overleg-${id}.ics"`);
  expect(res.headers['cache-control']).toBe('no-store');
  return res.body;
}

describe('SCHEDULE_OVERLEG and RECORD_OVERLEG with a real table', () => {
  it('ten participants and an agenda are accepted; the case shows both, and ten professionals are recorded', async () => {
    const id = await scheduled();
    const view = (await ctx.call(ctx.localTeam, { url: caseUrl(id) })).json();
    expect(view.state).toBe('overleg_scheduled');
    expect(view.data.overlegSchedules[0]).toMatchObject({ participants: TEN, agenda: AGENDA });
    const ten = professionals(10).map(({ organisation, discipline }) => ({ organisation: organisation!, discipline: discipline! }));
    ctx.clock.set(new Date('2026-01-12T16:00:00Z'));
    const res = await ctx.send(ctx.expertTeam, id, events.RECORD_OVERLEG({ heldAt: '2026-01-12T13:00:00Z', professionals: ten }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.overlegRecords[0].professionals).toEqual(ten);
  });

  it(`more than ${OVERLEG_PARTICIPANTS_MAX} participants or professionals, or a too long agenda: 400 naming the field, nothing changed`, async () => {
    const id = await ctx.caseIn('planning_overleg');
    const before = await ctx.fingerprint();
    const tooMany = [...TEN, ...professionals(OVERLEG_PARTICIPANTS_MAX - TEN.length + 1)];
    const many = expectProblem(await ctx.send(ctx.expertTeam, id, events.SCHEDULE_OVERLEG({ participants: tooMany })), 400, 'VALIDATION_FAILED');
    expect(many.invalidParams?.map((p) => p.name)).toEqual(['participants']);
    const long = expectProblem(await ctx.send(ctx.expertTeam, id, events.SCHEDULE_OVERLEG({ agenda: 'x'.repeat(AGENDA_MAX + 1) })), 400, 'VALIDATION_FAILED');
    expect(long.invalidParams?.map((p) => p.name)).toEqual(['agenda']);
    expect(await ctx.fingerprint()).toBe(before);

    await applied(ctx, id, events.SCHEDULE_OVERLEG());
    const recorded = await ctx.fingerprint();
    const record = events.RECORD_OVERLEG({ professionals: professionals(OVERLEG_PARTICIPANTS_MAX + 1)
      .map(({ organisation, discipline }) => ({ organisation: organisation!, discipline: discipline! })) });
    const pros = expectProblem(await ctx.send(ctx.expertTeam, id, record), 400, 'VALIDATION_FAILED');
    expect(pros.invalidParams?.map((p) => p.name)).toEqual(['professionals']);
    expect(await ctx.fingerprint()).toBe(recorded);
  });
});

describe('GET /cases/{id}/overleg.ics', () => {
  it('is text/calendar with one VEVENT: DTSTART in UTC, 90 minutes, the reference, a link to the case', async () => {
    const id = await scheduled();
    const ics = expectIcs(await ctx.call(ctx.expertTeam, { url: icsUrl(id) }), id);
    expect(unfold(ics)[0]).toBe('BEGIN:VCALENDAR');
    expect(unfold(ics).filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(property(ics, 'DTSTART')).toBe('20260112T130000Z');
    expect(property(ics, 'DTEND')).toBe('20260112T143000Z');
    expect(property(ics, 'UID')).toBe(`overleg-${id}-1@passend`);
    expect(property(ics, 'SUMMARY')).toBe('Overleg expertteam\\, casus WN-2026-0042');
    // No PUBLIC_URL in the test app: the console's address is HOST:PORT's default.
    expect(property(ics, 'URL')).toBe(`http://127.0.0.1:3000/casussen/${id}`);
  });

  it('holds nothing of the file: no agenda, names of organisations, question or words of the family', async () => {
    const id = await scheduled();
    await applied(ctx, id, events.ADD_NOTE({ text: 'Moeder belt liever na drie uur' }));
    const ics = unfold(expectIcs(await ctx.call(ctx.expertTeam, { url: icsUrl(id) }), id)).join('\n');
    const sub = submission();
    for (const text of ['Kennismaking', 'geprobeerd', 'zomer', 'Jeugdbescherming', 'jeugdbeschermer', 'Zorgaanbieder',
      'Gedragswetenschapper', sub.requestForHelp.summary, sub.requestForHelp.inWordsOfYouth!,
      sub.requestForHelp.inWordsOfParents!, sub.triedSoFar, sub.referrer.organisation!, 'Moeder', 'GM0363', '2012']) {
      expect(ics, text).not.toContain(text);
    }
  });

  it('the same file each time, for everyone who may read the case (the local team that referred, the inspector)', async () => {
    const id = await scheduled();
    const expert = expectIcs(await ctx.call(ctx.expertTeam, { url: icsUrl(id) }), id);
    expect(expectIcs(await ctx.call(ctx.localTeam, { url: icsUrl(id) }), id)).toBe(expert);
    expect(expectIcs(await ctx.call(ctx.inspector, { url: icsUrl(id) }), id)).toBe(expert);
    expect(expectIcs(await ctx.call(ctx.nationalInspector, { url: icsUrl(id) }), id)).toBe(expert);
  });

  it('404 while no overleg is planned: before it is scheduled, once it is held, when the case is closed', async () => {
    const planning = await ctx.caseIn('planning_overleg');
    expectProblem(await ctx.call(ctx.expertTeam, { url: icsUrl(planning) }), 404, 'NOT_FOUND');
    const held = await ctx.caseIn('advising');
    expectProblem(await ctx.call(ctx.expertTeam, { url: icsUrl(held) }), 404, 'NOT_FOUND');
    const withdrawn = await scheduled();
    await applied(ctx, withdrawn, events.WITHDRAW(), ctx.localTeam);
    expectProblem(await ctx.call(ctx.expertTeam, { url: icsUrl(withdrawn) }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.expertTeam, { url: `${API}/cases/00000000-0000-4000-8000-000000000000/overleg.ics` }), 404, 'NOT_FOUND');
  });

  it('refused to whoever may not read the case: another organisation or region 404, an admin 403, no purpose 400, no token 401', async () => {
    const id = await scheduled();
    expectProblem(await ctx.call(ctx.otherLocalTeam, { url: icsUrl(id) }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherExpertTeam, { url: icsUrl(id) }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherInspector, { url: icsUrl(id) }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.admin, { url: icsUrl(id) }), 403, 'FORBIDDEN');
    expectProblem(await ctx.call({ ...ctx.inspector, headers: {} }, { url: icsUrl(id) }), 400, 'PURPOSE_REQUIRED');
    expectProblem(await ctx.call(null, { url: icsUrl(id) }), 401, 'UNAUTHENTICATED');
  });

  it('is logged as a case read: shown to the expert team, refused to another region', async () => {
    const id = await scheduled();
    const shown = await ctx.call(ctx.expertTeam, { url: icsUrl(id) });
    const refused = await ctx.call(ctx.otherExpertTeam, { url: icsUrl(id) });
    const lines = await ctx.sql('SELECT request_id, action, outcome, case_ids FROM access_log WHERE request_id IN (?, ?) ORDER BY seq',
      shown.headers['x-request-id'], refused.headers['x-request-id']);
    expect(lines.map((l) => [l.request_id, l.action, l.outcome, JSON.parse(String(l.case_ids)) as unknown])).toEqual([
      [shown.headers['x-request-id'], 'case.read', 'shown', [id]],
      [refused.headers['x-request-id'], 'case.read', 'refused', [id]],
    ]);
  });
});

describe('the console', () => {
  it('shows the agenda and a link to the .ics on the case page, which serves the same file to the signed-in person', async () => {
    const id = await scheduled();
    const browser = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    const page = await browser.get(`/casussen/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Kennismaking met de jongere<br>Wat is er al geprobeerd');
    expect(page.body).toContain(`href="/casussen/${id}/overleg.ics" download>Zet in agenda (.ics)</a>`);
    const file = await browser.get(`/casussen/${id}/overleg.ics`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(file.body).toBe((await ctx.call(ctx.localTeam, { url: icsUrl(id) })).body);
  });

  it('no link while nothing is planned, and the .ics of another organisation\'s case is the 404 page', async () => {
    const planning = await ctx.caseIn('planning_overleg');
    const id = await scheduled();
    const other = await signIn(ctx, await person(ctx, 'local_team', 'wt-zuid'));
    expect((await other.get(`/casussen/${id}/overleg.ics`)).statusCode).toBe(404);
    const noord = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await noord.get(`/casussen/${planning}`)).body).not.toContain('overleg.ics');
    expect((await noord.get(`/casussen/${planning}/overleg.ics`)).statusCode).toBe(404);
  });

  it('the record form starts with the professionals invited', async () => {
    const id = await scheduled();
    const browser = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    const page = (await browser.get(`/casussen/${id}`)).body;
    const form = page.slice(page.indexOf('id="actie-RECORD_OVERLEG"'));
    expect(form).toContain('name="professionals.0.organisation" value="Jeugdbescherming West"');
    expect(form).toContain('name="professionals.0.discipline" value="jeugdbeschermer"');
    expect(form).toContain('name="professionals.7.organisation" value="Zorgaanbieder 7"');
    // The GI and seven professionals: eight rows, and the button for one more.
    expect(form).not.toContain('name="professionals.8.');
    expect(form).toContain('name="_meer" value="professionals">Nog een professional toevoegen</button>');
  });
});
