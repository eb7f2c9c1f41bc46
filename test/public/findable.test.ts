/**
 * Issue 26, the municipality and the findable teams (DESIGN §6.4), checked from outside: the role
 * `municipality` reads its own municipality's figures, suppressed, and never a case; without any
 * token, the expert teams by municipality (JSON and a Dutch page) and a region's published figures
 * of a past quarter (JSON and CSV).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, OTHER_REGION, REGION, type Caller, type TestContext } from '../support/app.ts';
import { submission } from '../support/fixtures.ts';

let ctx: TestContext;
let enschede: Caller;
let amsterdam: Caller;
let caseId: string;

const TEAM = {
  teamName: 'Expertteam Twente', phone: '053 123 45 67', email: 'expertteam@twente.example',
  howToRefer: 'Bel ons of mail ons met uw vraag.\nWij bellen binnen twee werkdagen terug.',
};

beforeAll(async () => {
  ctx = await createTestContext();
  // Six cases of Enschede and five of Amsterdam in the first quarter of 2026, in region R01.
  for (let i = 0; i < 6; i++) {
    caseId = await ctx.createCase(submission({ subject: { ...submission().subject, municipalityCode: 'GM0153' } }));
  }
  for (let i = 0; i < 5; i++) await ctx.createCase();
  await ctx.regions.set(REGION, { ...TEAM, municipalities: ['GM0153', 'GM0164'] });
  await ctx.regions.set(OTHER_REGION, { municipalities: ['GM0363'] });
  enschede = { token: (await ctx.newClient({ role: 'municipality', organisation: 'GM0153', region: REGION, name: 'Gemeente Enschede' })).token,
    role: 'municipality', headers: {} };
  amsterdam = { token: (await ctx.newClient({ role: 'municipality', organisation: 'GM0363', region: REGION, name: 'Gemeente Amsterdam' })).token,
    role: 'municipality', headers: {} };
});
afterAll(() => ctx.close());

const get = (who: Caller | null, url: string, headers: Record<string, string> = {}) =>
  ctx.call(who, { method: 'GET', url, headers });

interface Cell { key: string; count: number | null; suppressed: boolean }

describe('the role municipality', () => {
  it('never reads a case: 403 for the case list, a case, its trail and notes, and may not submit', async () => {
    for (const url of ['/api/v1/cases', `/api/v1/cases/${caseId}`, `/api/v1/cases/${caseId}/trail`,
      `/api/v1/cases/${caseId}/notes`, '/api/v1/worklist']) {
      const res = await get(enschede, url);
      expect([403, 404], `${url}: ${res.body}`).toContain(res.statusCode);
      expect(res.body).not.toContain('WN-2026-0042');
    }
    const submit = await ctx.call(enschede, { method: 'POST', url: '/api/v1/cases', payload: submission() });
    expect(submit.statusCode).toBe(403);
    const event = await ctx.call(enschede, { method: 'POST', url: `/api/v1/cases/${caseId}/events`, payload: { type: 'START_TRIAGE' } });
    expect(event.statusCode).toBe(403);
  });

  it('reads the suppressed figures of its own municipality only, whatever the query says', async () => {
    const res = await get(enschede, '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31&publication=false');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ region: REGION, municipality: 'GM0153', publication: true, suppressionThreshold: 5 });
    expect(report.submitted.total).toBe(6);
    const byMunicipality = report.submitted.byMunicipality as Cell[];
    expect(byMunicipality.map((c) => c.key).filter((k) => k !== 'unknown')).toEqual(['GM0153']);
    expect(byMunicipality.find((c) => c.key === 'GM0153')).toMatchObject({ count: 6, suppressed: false });
    // Small counts are suppressed: a referrer kind with fewer than 5 cases is not shown.
    for (const cell of report.submitted.byReferrerKind as Cell[]) {
      if (cell.suppressed) expect(cell.count).toBeNull();
      else expect(cell.count).toBeGreaterThanOrEqual(5);
    }

    // Amsterdam's municipality token sees Amsterdam's 5, never Enschede's 6.
    const other = (await get(amsterdam, '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31')).json();
    expect(other).toMatchObject({ municipality: 'GM0363', publication: true });
    expect(other.submitted.total).toBe(5);
    expect((other.submitted.byMunicipality as Cell[]).some((c) => c.key === 'GM0153')).toBe(false);

    // A municipality with fewer than 5 cases sees its totals suppressed too: with the region's
    // published breakdown by municipality, an exact small total would give away its neighbours'.
    const few = (await ctx.newClient({ role: 'municipality', organisation: 'GM0164', region: REGION, name: 'Gemeente Hengelo' })).token;
    await ctx.createCase(submission({ subject: { ...submission().subject, municipalityCode: 'GM0164' } }));
    const small = await get({ token: few, role: 'municipality', headers: {} }, '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31');
    expect(small.json().submitted).toMatchObject({ total: null });
    expect(small.json().decisions.total).toBeNull();
    const smallCsv = await get({ token: few, role: 'municipality', headers: {} },
      '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31', { accept: 'text/csv' });
    expect(smallCsv.body).toContain('submitted,total,,<5');

    // The expert team still reads the exact figures of the whole region.
    const team = (await get(ctx.expertTeam, '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31')).json();
    expect(team).toMatchObject({ publication: false });
    expect(team.submitted.total).toBe(12);
  });

  it('may not name another region, and answers CSV suppressed too', async () => {
    expect((await get(enschede, `/api/v1/reports/signalering?region=${OTHER_REGION}`)).statusCode).toBe(403);
    const csv = await get(enschede, '/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31', { accept: 'text/csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('report,publication,,true');
    expect(csv.body).toContain('report,municipality,,GM0153');
  });
});

describe('the expert teams, without a token', () => {
  it('gives one municipality with its team and phone as region set stored them', async () => {
    const res = await get(null, '/api/v1/expertteams/GM0153');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.json()).toEqual({
      code: 'GM0153', name: 'Enschede',
      team: { region: REGION, name: TEAM.teamName, phone: TEAM.phone, email: TEAM.email, howToRefer: TEAM.howToRefer },
    });
    // A municipality no region lists has no team; one listed by the other region has that team.
    expect((await get(null, '/api/v1/expertteams/GM0014')).json()).toEqual({ code: 'GM0014', name: 'Groningen', team: null });
    expect((await get(null, '/api/v1/expertteams/GM0363')).json().team).toMatchObject({ region: OTHER_REGION, phone: null });
  });

  it('lists every municipality in force (342 on the CBS list), each with its team or null', async () => {
    const res = await get(null, '/api/v1/expertteams');
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json();
    expect(list.count).toBe(342);
    expect(list.municipalities.length).toBeGreaterThan(300);
    expect(list.source).toMatchObject({ inForceOn: '2026-01-01' });
    expect(list.municipalities.find((m: { code: string }) => m.code === 'GM0164').team).toMatchObject({ name: TEAM.teamName });
    expect(list.municipalities.some((m: { code: string }) => m.code === 'GM0370'), 'Beemster merged in 2022').toBe(false);
  });

  it('answers 404 for a code not in force and 400 for a malformed one, as problems', async () => {
    for (const code of ['GM9999', 'GM0370']) {
      const res = await get(null, `/api/v1/expertteams/${code}`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    for (const code of ['gm0153', 'GM153', 'Enschede', 'GM01530']) {
      expect((await get(null, `/api/v1/expertteams/${code}`)).statusCode, code).toBe(400);
    }
  });

  it('serves a Dutch page naming the municipality and its team, found by name or code', async () => {
    for (const query of ['Enschede', 'enschede', 'GM0153']) {
      const res = await get(null, `/expertteams?gemeente=${encodeURIComponent(query)}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.body).toContain('<html lang="nl"');
      expect(res.body).toContain('Expertteam voor de gemeente Enschede');
      expect(res.body).toContain(TEAM.teamName);
      expect(res.body).toContain('href="tel:0531234567"');
      expect(res.body).toContain('Wij bellen binnen twee werkdagen terug.');
      expect(res.body).not.toMatch(/<script/i);
    }
    const denHaag = await get(null, '/expertteams?gemeente=Den%20Haag');
    expect(denHaag.body).toContain('Expertteam voor de gemeente &#39;s-Gravenhage');
    const none = await get(null, '/expertteams?gemeente=Atlantis');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('Geen gemeente gevonden');
    const all = await get(null, '/expertteams');
    expect(all.body).toContain('Alle 342 gemeenten en hun expertteam');
    expect((await get(null, `/expertteams?gemeente=${'x'.repeat(101)}`)).statusCode).toBe(400);
  });
});

describe('the published figures of a past quarter, without a token', () => {
  it('gives the last quarter as JSON and CSV, suppressed, with a note; not the current or a future one', async () => {
    ctx.clock.set('2026-04-02T10:00:00Z');
    try {
      const url = `/api/v1/publications/${REGION}/2026-Q1`;
      const json = await get(null, url);
      expect(json.statusCode, json.body).toBe(200);
      expect(json.headers['cache-control']).toBe('public, max-age=300');
      const report = json.json();
      expect(report).toMatchObject({
        region: REGION, quarter: '2026-Q1', url, publication: true, suppressionThreshold: 5,
        period: { from: '2026-01-01', to: '2026-03-31' },
      });
      expect(report.note).toMatch(/below 5/);
      expect(report.submitted.total).toBe(12);
      // Hengelo's single case is suppressed, and Amsterdam's 5 with it (complementary): else 12 - 6 - 5 gives it back.
      expect(report.submitted.byMunicipality).toEqual(expect.arrayContaining([
        { key: 'GM0153', count: 6, suppressed: false }, { key: 'GM0164', count: null, suppressed: true },
        { key: 'GM0363', count: null, suppressed: true },
      ]));

      const csv = await get(null, url, { accept: 'text/csv' });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body.split('\r\n')[0]).toBe('section,figure,category,value');
      expect(csv.body).toContain('submitted|byMunicipality|GM0153|6'.replaceAll('|', ','));
      expect(csv.body).toContain('report,quarter,,2026-Q1');
      expect(csv.body).toMatch(/report,note,,"?Published figures/);

      for (const [quarter, status] of [['2026-Q2', 404], ['2027-Q1', 404], ['2026-Q5', 400], ['2026Q1', 400]] as const) {
        const res = await get(null, `/api/v1/publications/${REGION}/${quarter}`);
        expect(res.statusCode, quarter).toBe(status);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect((await get(null, '/api/v1/publications/R77/2026-Q1')).statusCode).toBe(404);
      expect((await get(null, '/api/v1/publications/R01/2026-Q1', { accept: 'application/xml' })).statusCode).toBe(406);
    } finally {
      ctx.clock.set('2026-01-05T09:00:00Z');
    }
  });
});
