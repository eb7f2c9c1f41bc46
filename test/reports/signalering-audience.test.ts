/**
 * Figures by audience (DESIGN §6.2): the region's expert team and inspectors see the exact counts of
 * their scope, in the API and in the console; `?publication=true` (JSON, CSV, HTML) gives the
 * figures of §4 with small counts suppressed. Municipalities by name in the HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { person, signIn } from '../console/session.ts';

let ctx: TestContext;
const URL = '/api/v1/reports/signalering';

const get = async (caller: Caller, url: string, accept = 'application/json') => {
  const res = await ctx.call(caller, { method: 'GET', url, headers: { accept } });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};
const utrecht = (report: { submitted: { byMunicipality: { key: string }[] } }) =>
  report.submitted.byMunicipality.find((c) => c.key === 'GM0344');

beforeAll(async () => {
  ctx = await createTestContext();
  // Three cases in Utrecht this month (January 2026), six in Amsterdam.
  for (let i = 0; i < 9; i++) {
    const subject = { ...submission().subject, reference: `AUD-${i}`, municipalityCode: i < 3 ? 'GM0344' : 'GM0363' };
    const id = await ctx.createCase(submission({ subject }));
    // Two triage decisions: a median over 2, which publication withholds and the exact figures show with its n.
    if (i < 2) {
      for (const event of [events.START_TRIAGE(), events.ACCEPT()]) {
        expect((await ctx.send(ctx.expertTeam, id, event)).statusCode).toBe(200);
      }
    }
  }
});
afterAll(() => ctx?.close());

describe('GET /reports/signalering by audience', () => {
  it('gives the expert team and the regional inspector the exact count: 3 in Utrecht', async () => {
    for (const caller of [ctx.expertTeam, ctx.inspector]) {
      const report = (await get(caller, URL)).json();
      expect(report.publication).toBe(false);
      expect(report.suppressionThreshold).toBe(0);
      expect(report.submitted.total).toBe(9);
      expect(utrecht(report)).toEqual({ key: 'GM0344', count: 3, suppressed: false });
    }
  });

  it('suppresses the 3 with ?publication=true, in JSON and CSV', async () => {
    const report = (await get(ctx.expertTeam, `${URL}?publication=true`)).json();
    expect(report.publication).toBe(true);
    expect(report.suppressionThreshold).toBe(5);
    expect(utrecht(report)).toEqual({ key: 'GM0344', count: null, suppressed: true });
    const csv = (await get(ctx.expertTeam, `${URL}?publication=true`, 'text/csv')).body;
    expect(csv).toContain('submitted,byMunicipality,GM0344,<5');
    expect((await get(ctx.expertTeam, URL, 'text/csv')).body).toContain('submitted,byMunicipality,GM0344,3');
  });

  it('names the municipality in the HTML, with its exact count, and withholds it for publication', async () => {
    const row = /<td>Utrecht \(GM0344\)<\/td><td class="n">([^<]+)<\/td>/;
    expect(row.exec((await get(ctx.expertTeam, URL, 'text/html')).body)?.[1]).toBe('3');
    expect(row.exec((await get(ctx.expertTeam, `${URL}?publication=true`, 'text/html')).body)?.[1]).toBe('&lt;5');
  });

  it('shows the expert team the exact count in the console', async () => {
    const browser = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator'));
    const page = (await browser.get('/signalering')).body;
    expect(/<td>Utrecht \(GM0344\)<\/td><td class="n">([^<]+)<\/td>/.exec(page)?.[1]).toBe('3');
  });

  it('gives a median with its n in the exact figures, and withholds both for publication', async () => {
    const exact = (await get(ctx.expertTeam, URL)).json();
    expect(exact.leadTimes.submissionToTriageDecision).toMatchObject({ n: 2, suppressed: false });
    expect(exact.leadTimes.submissionToTriageDecision.medianDays).not.toBeNull();
    expect(exact.leadTimes.overlegToAdvice).toEqual({ medianDays: null, p90Days: null, suppressed: false, n: 0 });
    expect(exact.advice.medianWaitingWeeks).toEqual({ weeks: null, suppressed: false, n: 0 });
    const published = (await get(ctx.expertTeam, `${URL}?publication=true`)).json();
    expect(published.leadTimes.submissionToTriageDecision).toEqual({ medianDays: null, p90Days: null, suppressed: true });

    const row = /<td>Aanmelding → triagebesluit<\/td>((?:<td class="n">[^<]*<\/td>)+)/;
    const cellsOf = (html: string) => [...(row.exec(html)?.[1] ?? '').matchAll(/<td class="n">([^<]*)<\/td>/g)].map((m) => m[1]);
    const exactCells = cellsOf((await get(ctx.expertTeam, URL, 'text/html')).body);
    expect(exactCells).toHaveLength(3);
    expect(exactCells[2]).toBe('2');
    expect(exactCells[0]).not.toBe('&lt;5');
    expect(cellsOf((await get(ctx.expertTeam, `${URL}?publication=true`, 'text/html')).body)).toEqual(['&lt;5', '&lt;5']);
  });

  it('refuses a publication flag that is not true or false with 400', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${URL}?publication=ja` });
    expect(res.statusCode).toBe(400);
  });
});
