/**
 * The console over HTTP as a browser uses it (forms, cookies), without a browser: sign-in,
 * sessions, CSRF, who sees which case, and that a person's action names them in the trail and the
 * access log. test/console/console.browser.test.ts drives the same pages in Chromium.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { submission } from '../support/fixtures.ts';
import { encodeForm, person, signIn, signInLink } from './session.ts';

let ctx: TestContext;
beforeEach(async () => { ctx = await createTestContext(); });
afterEach(async () => { await ctx.close(); });

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** A case's trail rows as stored, on either store. */
const eventsOf = (id: string) => ctx.sql(`SELECT type, actor_name AS "actorName", actor_organisation AS "actorOrganisation",
  actor_client_id AS "actorClientId" FROM case_events WHERE case_id = ? ORDER BY version`, id);
/** Access log lines whose column equals the value, oldest first. */
const linesWhere = async (column: 'actor_client_id' | 'actor_name', value: string) => await ctx.sql(`SELECT action, purpose,
  outcome, case_ids AS "caseIds", actor_client_id AS "actorClientId" FROM access_log WHERE ${column} = ? ORDER BY seq`, value) as
  { action: string; purpose: string | null; outcome: string; caseIds: string; actorClientId: string }[];

describe('signing in', () => {
  it('a sign-in link opens a Dutch page with a button; the post sets an HttpOnly session cookie and leads to the role\'s page', async () => {
    const user = await person(ctx, 'expert_team', 'ret-r01');
    const code = await signInLink(ctx, user);
    const landing = await ctx.app.inject({ url: `/inloggen?code=${code}` });
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('<html lang="nl"');
    expect(landing.body).toContain('Inloggen</button>');
    // Opening the link does not use it up (mail scanners open links): the button does.
    const res = await ctx.app.inject({ method: 'POST', url: '/inloggen', payload: encodeForm({ code }), headers: form });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mijn-werk');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^passend_sessie=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const queue = await ctx.app.inject({ url: '/casussen', headers: { cookie: cookie.split(';')[0]! } });
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Werkvoorraad');
    expect(queue.headers['cache-control']).toBe('no-store');
  });

  it('a link works once, and not after 15 minutes', async () => {
    const user = await person(ctx, 'local_team', 'wt-noord');
    const code = await signInLink(ctx, user);
    const post = () => ctx.app.inject({ method: 'POST', url: '/inloggen', payload: encodeForm({ code }), headers: form });
    expect((await post()).statusCode).toBe(303);
    const again = await post();
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('verlopen of al gebruikt');
    expect(again.headers['set-cookie']).toBeUndefined();

    const late = await signInLink(ctx, user);
    ctx.clock.advance(15 * 60_000 + 1);
    expect((await ctx.app.inject({ url: `/inloggen?code=${late}` })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'POST', url: '/inloggen', payload: encodeForm({ code: late }), headers: form })).statusCode).toBe(400);
  });

  it('a session ends after 30 idle minutes and at sign-out', async () => {
    const browser = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await browser.get('/casussen')).statusCode).toBe(200);
    ctx.clock.advance(29 * 60_000);
    expect((await browser.get('/casussen')).statusCode).toBe(200);
    ctx.clock.advance(31 * 60_000);
    const idle = await browser.get('/casussen');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe('/');

    const other = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await other.get('/casussen')).statusCode).toBe(200);
    expect((await other.post('/uitloggen', {})).statusCode).toBe(303);
    expect((await other.get('/casussen')).headers.location).toBe('/');
  });
});

describe('pages that do not exist', () => {
  it('a browser gets a Dutch page, an API client problem+json', async () => {
    const page = await ctx.app.inject({ url: '/bestaat-niet', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Deze pagina bestaat niet');
    const api = await ctx.app.inject({ url: '/api/v1/bestaat-niet', headers: { accept: 'text/html' } });
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    const plain = await ctx.app.inject({ url: '/bestaat-niet' });
    expect(plain.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('housekeeping', () => {
  it('prunes sessions idle for a day and sign-in links past their time, and keeps those in use', async () => {
    const idle = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    await signInLink(ctx, idle.user);
    ctx.clock.advance(25 * 3_600_000);
    const active = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    const fresh = await signInLink(ctx, active.user);
    // The first link was used by signIn and the second expired; each signIn made one more link.
    expect(await ctx.app.scheduler.housekeep()).toMatchObject({ sessions: 1, signInLinks: 2 });
    expect((await active.get('/casussen')).statusCode).toBe(200);
    expect((await ctx.app.inject({ url: `/inloggen?code=${fresh}` })).statusCode).toBe(200);
  });
});

describe('forms are protected against cross-site posts', () => {
  it('a post without the CSRF token, with a wrong one, or from another origin is refused and changes nothing', async () => {
    const id = await ctx.createCase();
    const browser = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    await browser.get(`/casussen/${id}`);
    const event = { type: 'START_TRIAGE', versie: '1', coordinator: 'Procesregisseur A' };
    for (const res of [
      await browser.post(`/casussen/${id}`, event, { csrf: false }),
      await browser.post(`/casussen/${id}`, { ...event, _csrf: 'x'.repeat(43) }, { csrf: false }),
      await browser.post(`/casussen/${id}`, event, { origin: 'https://elders.example' }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Dit formulier is verlopen of kwam niet van deze site');
    }
    expect(await eventsOf(id)).toHaveLength(1);
    const ok = await browser.post(`/casussen/${id}`, event);
    expect(ok.statusCode).toBe(303);
    expect(await eventsOf(id)).toHaveLength(2);
  });

  it('behind a proxy that ends https, the Origin is compared with PUBLIC_URL and the cookie is Secure', async () => {
    await ctx.close();
    ctx = await createTestContext({ config: { PUBLIC_URL: 'https://passend.regio.nl' } });
    const browser = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    await browser.get('/aanmelden');
    expect((await browser.post('/uitloggen', {}, { origin: 'https://passend.regio.nl' })).statusCode).toBe(303);
    const other = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await other.post('/uitloggen', {}, { origin: 'http://localhost:80' })).statusCode).toBe(403);
    // With an https address the session cookie is Secure.
    const code = await signInLink(ctx, other.user);
    const res = await ctx.app.inject({ method: 'POST', url: '/inloggen', payload: encodeForm({ code }), headers: form });
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('another content type than a form is refused with 415, not a 500', async () => {
    const browser = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    const res = await ctx.app.inject({
      method: 'POST', url: '/aanmelden', payload: '{"a":1}', headers: { cookie: browser.cookie, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('who sees what', () => {
  it('a referral submitted through the API is in the expert team\'s work queue with its reference; another organisation\'s wijkteam does not see it', async () => {
    const id = await ctx.createCase(submission({ subject: { reference: 'WN-API-0007', birthYear: 2012, municipalityCode: 'GM0363' } }));
    const coordinator = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    const queue = await coordinator.get('/casussen');
    expect(queue.body).toContain('WN-API-0007');
    expect(queue.body).toContain(`/casussen/${id}`);

    const own = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await own.get('/casussen')).body).toContain('WN-API-0007');
    const other = await signIn(ctx, await person(ctx, 'local_team', 'wt-zuid'));
    const list = await other.get('/casussen');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('WN-API-0007');
    expect((await other.get(`/casussen/${id}`)).statusCode).toBe(404);
    // The attempt is in the access log, as refused, with the id asked for.
    const refused = (await linesWhere('actor_client_id', `user:${other.user.id}`))
      .filter((l) => l.outcome === 'refused');
    expect(refused.map((l) => [l.action, JSON.parse(l.caseIds)])).toEqual([['case.read', [id]]]);
    const elsewhere = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r02', 'R02'));
    expect((await elsewhere.get('/casussen')).body).not.toContain('WN-API-0007');
  });

  it('an admin reads no case, and a wijkteam no trail', async () => {
    const id = await ctx.createCase();
    const admin = await signIn(ctx, await person(ctx, 'admin', 'beheer'));
    expect((await admin.get(`/casussen/${id}`)).statusCode).toBe(403);
    const worker = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await worker.get(`/casussen/${id}/verloop`)).statusCode).toBe(403);
  });

  it('an inspector states a purpose once per sign-in, and every read records it', async () => {
    const id = await ctx.createCase();
    const inspector = await signIn(ctx, await person(ctx, 'inspector', 'igj', 'R01', 'Inspecteur Jansen'));
    const first = await inspector.get(`/casussen/${id}`);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/doel');
    expect((await inspector.post('/doel', { doel: '' })).statusCode).toBe(400);
    expect((await inspector.post('/doel', { doel: 'Onderzoek 2026-17' })).statusCode).toBe(303);
    expect((await inspector.get(`/casussen/${id}`)).statusCode).toBe(200);
    const trail = await inspector.get(`/casussen/${id}/verloop`);
    expect(trail.statusCode).toBe(200);
    const lines = await linesWhere('actor_name', 'Inspecteur Jansen');
    // The case page shows the latest of the trail too: a case read and a trail read, then the trail page.
    expect(lines.map((l) => [l.action, l.purpose])).toEqual([
      ['case.read', 'Onderzoek 2026-17'], ['trail.read', 'Onderzoek 2026-17'], ['trail.read', 'Onderzoek 2026-17'],
    ]);
    expect(lines[0]!.actorClientId).toBe(`user:${inspector.user.id}`);
  });
});

describe('acting as oneself', () => {
  it('an aanmelding through the form, with rule errors next to their fields first', async () => {
    const worker = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam'));
    const page = await worker.get('/aanmelden');
    expect(page.statusCode).toBe(200);
    const base = {
      'referrer.kind': 'professional', 'subject.reference': 'WN-FORM-1', 'subject.birthMonth': '2012-05',
      'subject.municipalityCode': 'GM0363', 'subject.authority': 'joint_parents', 'subject.protectionMeasure': 'none',
      'consent.youth': 'given', 'consent.parents': 'given', 'requestForHelp.summary': 'Vastgelopen tussen ggz en school',
      problemAreas: ['mental_health', 'education'], triedSoFar: 'Twee aanbieders', 'school.status': 'attending',
      urgency: 'regular',
    };
    const missing = await worker.post('/aanmelden', { ...base, 'requestForHelp.summary': '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toMatch(/id="veld-requestForHelp-summary-fout"[^>]*>.*Vul dit in/);
    expect(missing.body).toContain('value="WN-FORM-1"');

    const noConsent = await worker.post('/aanmelden', { ...base, 'consent.youth': 'refused', 'consent.parents': 'refused' });
    expect(noConsent.statusCode).toBe(422);
    expect(noConsent.body).toContain('De toestemming die de wet bij deze leeftijd vraagt ontbreekt');

    const done = await worker.post('/aanmelden', base);
    expect(done.statusCode).toBe(303);
    const id = /\/casussen\/([0-9a-f-]{36})\?gedaan=SUBMIT/.exec(String(done.headers.location))?.[1];
    expect(id).toBeDefined();
    const view = await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` });
    expect(view.json().data.submission.subject).toMatchObject({ reference: 'WN-FORM-1', birthMonth: '2012-05' });
    expect(view.json().data.submission.problemAreas).toEqual(['mental_health', 'education']);
    const trail = await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/trail` });
    expect(trail.json().entries[0].actor).toEqual({ role: 'local_team', organisation: 'wt-noord', name: 'Wim Wijkteam' });
  });

  it('an action of the case page names the person in the trail, the audit log and the access log', async () => {
    const id = await ctx.createCase();
    const coordinator = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator'));
    const page = await coordinator.get(`/casussen/${id}`);
    expect(page.body).toContain('id="actie-START_TRIAGE"');
    // Exactly the actions allowedEvents gives: the API's view for an expert team client.
    const allowed = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` })).json().allowedEvents as string[];
    const shown = [...page.body.matchAll(/id="actie-([A-Z_]+)"/g)].map((m) => m[1]);
    expect(shown.sort()).toEqual([...allowed].sort());

    const res = await coordinator.post(`/casussen/${id}`, { type: 'START_TRIAGE', versie: '1', coordinator: 'Carla' });
    expect(res.statusCode).toBe(303);
    const entry = (await eventsOf(id)).at(-1)!;
    expect(entry).toMatchObject({ type: 'START_TRIAGE', actorName: 'Carla Coördinator', actorOrganisation: 'ret-r01',
      actorClientId: `user:${coordinator.user.id}` });
    const audit = (await ctx.sql('SELECT actor_name AS "actorName" FROM audit_log WHERE case_id = ? ORDER BY seq', id)).at(-1)!;
    expect(audit.actorName).toBe('Carla Coördinator');
    const read = await linesWhere('actor_name', 'Carla Coördinator');
    expect(read.some((l) => l.action === 'case.read' && l.caseIds.includes(id))).toBe(true);
    // The wijkteam sees the notes and progress on the case page.
    await ctx.send(ctx.expertTeam, id, { type: 'ADD_NOTE', text: 'School gebeld over de terugkeer' });
    const worker = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    expect((await worker.get(`/casussen/${id}`)).body).toContain('School gebeld over de terugkeer');
    const trailPage = await coordinator.get(`/casussen/${id}/verloop`);
    expect(trailPage.body).toContain('Carla Coördinator');
    expect(trailPage.body).toContain('Triage gestart');
  });

  it('pages name organisations by the name the register gives them, and Beheer shows the id beside it', async () => {
    await ctx.store.organisations.set('ret-r01', 'Regionaal Expertteam Noord', ctx.clock.now());
    await ctx.store.organisations.set('wt-noord', 'Wijkteam Noord', ctx.clock.now());
    const id = await ctx.createCase();
    await ctx.send(ctx.localTeam, id, { type: 'ADD_NOTE', text: 'School gebeld over de terugkeer' });
    const expert = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator'));
    const casePage = (await expert.get(`/casussen/${id}`)).body;
    // The header names the signed-in person's organisation; the trail and the notes name the writer's.
    expect(casePage).toContain('Carla Coördinator</strong> (Expertteam, Regionaal Expertteam Noord)');
    expect(casePage).toContain('local_team wt-noord (Lokaal team, Wijkteam Noord)');
    expect((await expert.get(`/casussen/${id}/notities`)).body).toContain('local_team wt-noord (Wijkteam Noord)');
    const admin = await signIn(ctx, await person(ctx, 'admin', 'beheer-r01'));
    expect((await admin.get('/beheer')).body).toContain('Regionaal Expertteam Noord (ret-r01)');
    // An organisation without a name shows as its id.
    expect((await admin.get('/beheer')).body).toContain('beheer-r01');
  });

  it('an event sent on an old version is refused in Dutch and changes nothing', async () => {
    const id = await ctx.createCase();
    const coordinator = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    await coordinator.get(`/casussen/${id}`);
    expect((await coordinator.post(`/casussen/${id}`, { type: 'START_TRIAGE', versie: '1', coordinator: 'A' })).statusCode).toBe(303);
    const stale = await coordinator.post(`/casussen/${id}`, { type: 'ADD_NOTE', versie: '1', text: 'Notitie' });
    expect(stale.statusCode).toBe(412);
    expect(stale.body).toContain('Iemand anders heeft de casus intussen gewijzigd');
    expect(await eventsOf(id)).toHaveLength(2);
  });

  it('a rule\'s refusal names the help item and the person it concerns, linked from the error summary', async () => {
    const advising = await ctx.caseIn('advising');
    const coordinator = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    const version = String((await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${advising}` })).json().version);
    await coordinator.get(`/casussen/${advising}`);
    const item = (i: number, kind: string, fit: string) => ({
      [`helpItems.${i}.kind`]: kind, [`helpItems.${i}.description`]: `Onderdeel ${i + 1}`, [`helpItems.${i}.fitRationale`]: fit,
      [`helpItems.${i}.waitingWeeks`]: '0', [`helpItems.${i}.responsibleOrganisation`]: 'Gemeente',
    });
    const advice = await coordinator.post(`/casussen/${advising}`, {
      type: 'ISSUE_ADVICE', versie: version, summary: 'Een advies op maat',
      ...item(0, 'existing_offer', 'Past bij de wens om naar school te gaan'), ...item(1, 'existing_offer', 'ok'),
      'familyResponse.youth': 'agrees', 'familyResponse.parents': 'agrees',
    });
    expect(advice.statusCode).toBe(422);
    expect(advice.body).toMatch(/<a [^>]*href="#veld-ISSUE_ADVICE-helpItems-1-fitRationale">[^<]*Hulponderdeel 2 mist een onderbouwing/);
    expect(advice.body).not.toContain('href="#veld-ISSUE_ADVICE-helpItems-0-fitRationale"');

    // Planning an overleg for a youth with a guardian: the GI is named as missing.
    const planning = await ctx.createCase(submission({ subject: { ...submission().subject, authority: 'guardian', guardianOrganisation: 'GI Noord' } }));
    await ctx.send(ctx.expertTeam, planning, { type: 'START_TRIAGE', coordinator: 'A' });
    await ctx.send(ctx.expertTeam, planning, { type: 'ACCEPT', findings: { regularRoutesTried: true, questionClear: true, urgent: false }, rationale: 'De gewone routes zijn uitgeput' });
    const planVersion = String((await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${planning}` })).json().version);
    const plan = await coordinator.post(`/casussen/${planning}`, {
      type: 'SCHEDULE_OVERLEG', versie: planVersion, scheduledAt: '2026-01-12T10:00',
      'participants.0.role': 'youth', 'participants.1.role': 'parents',
    });
    expect(plan.statusCode).toBe(422);
    expect(plan.body).toMatch(/href="#veld-SCHEDULE_OVERLEG-notInvited">[^<]*de gecertificeerde instelling \(GI\)/);
  });

  it('bad input of any shape gets a 4xx page, never a 500', async () => {
    const id = await ctx.createCase();
    const coordinator = await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    await coordinator.get(`/casussen/${id}`);
    for (const body of [
      {}, { type: 'NOPE' }, { type: 'ACCEPT', versie: 'x' }, { type: 'ISSUE_ADVICE', 'helpItems.0.waitingWeeks': 'veel' },
      { type: 'SCHEDULE_OVERLEG', scheduledAt: 'morgen' },
    ]) {
      const res = await coordinator.post(`/casussen/${id}`, body as Record<string, string>);
      expect(res.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(body)).toBeLessThan(500);
    }
    // A field sent twice: the first value counts, as for any form.
    const twice = await coordinator.post(`/casussen/${id}`, { type: 'START_TRIAGE', versie: '1', coordinator: ['a', 'b'] });
    expect(twice.statusCode).toBe(303);
    for (const url of ['/casussen/nope', '/casussen/00000000-0000-4000-8000-000000000000', '/casussen?status=x&gemeente=%00',
      '/dossieronderzoek?van=gisteren', '/signalering?van=2026-13', '/assets/../../etc/passwd', '/inloggen?code=']) {
      const res = await coordinator.get(url);
      expect(res.statusCode, url).toBeLessThan(500);
    }
  });
});
