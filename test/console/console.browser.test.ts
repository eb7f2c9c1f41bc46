/**
 * The console in a real browser (Chromium, driven by playwright-core), end to end as its users
 * work: a wijkteam worker submits a referral through the form; the coordinator takes it from
 * triage to follow-up through the case page's forms; the worker reports the help started; an
 * inspector finds the case in the file review and reads its trail and access log; the admin
 * adds a person. axe-core checks every page visited (WCAG 2.1 A and AA), and a crawl from each
 * role's start page follows every link: each answers 2xx and passes axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type TestContext } from '../support/app.ts';
import { axeViolations, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import { submission } from '../support/fixtures.ts';
import type { User } from '../../src/store/rows.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
const violations: { url: string; violations: AxeViolation[] }[] = [];
const checked = new Set<string>();

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole());
}, 60_000);

afterAll(async () => { await stop?.(); });

/** axe on the page as it is now, once per distinct page state (path and query), or `again`. */
async function check(page: Page, again = false): Promise<void> {
  const url = new URL(page.url());
  const key = `${url.pathname}${url.search}#${await page.title()}`;
  if (checked.has(key) && !again) return;
  checked.add(key);
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: url.pathname + url.search, violations: found });
}

async function signedIn(user: User): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const code = await signInLink(ctx, user);
  const landing = await page.goto(`${base}/inloggen?code=${code}`);
  expect(landing?.status()).toBe(200);
  expect(await page.getAttribute('html', 'lang')).toBe('nl');
  await check(page);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Inloggen' }).click()]);
  await check(page);
  return { context, page };
}

/** Opens an action of the case page, fills it, sends it and waits for the case page again. */
async function act(page: Page, type: string, fill: (form: string) => Promise<void>): Promise<void> {
  const form = `#actie-${type}`;
  await page.click(`${form} > summary`);
  await fill(form);
  await check(page);
  // The form's own button: a list that grows (commitments) has another that only adds a row.
  await Promise.all([page.waitForEvent('framenavigated'), page.click(`${form} button.utrecht-button--primary-action`)]);
  await page.waitForLoadState('load');
  // On a refusal the page names it: shown in the failure message.
  const refused = await page.locator('.utrecht-alert--error').allTextContents();
  expect(page.url(), refused.join(' | ')).toContain(`gedaan=${type}`);
  await check(page);
}

/** Every page reachable by links from where the page is: each answers 2xx and passes axe. */
async function crawl(page: Page, limit = 40): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [new URL(page.url()).pathname];
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await page.goto(`${base}${path}`);
    expect(res?.status(), path).toBeGreaterThanOrEqual(200);
    expect(res?.status(), path).toBeLessThan(300);
    await check(page);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin === base && !url.pathname.startsWith('/inloggen') && !seen.has(url.pathname + url.search)) {
        queue.push(url.pathname + url.search);
      }
    }
  }
  return [...seen];
}

describe('the console in Chromium', () => {
  const reference = 'WN-E2E-0001';
  let caseUrl = '';
  let worker: User;
  let coordinator: User;

  it('a wijkteam worker submits a referral through the form, after fixing what the form says', async () => {
    worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
    const { context, page } = await signedIn(worker);
    // By keyboard alone: the first Tab reaches the skip link, Enter moves to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Direct naar de inhoud');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('inhoud');
    await page.getByRole('link', { name: 'Nieuwe aanmelding' }).click();
    await check(page);
    await page.fill('[name="subject.reference"]', reference);
    await page.fill('[name="subject.birthMonth"]', '2012-05');
    await page.selectOption('[name="subject.municipalityCode"]', 'GM0363');
    await page.selectOption('[name="consent.youth"]', 'given');
    await page.selectOption('[name="consent.parents"]', 'given');
    await page.check('input[name="problemAreas"][value="mental_health"]');
    await page.fill('[name="triedSoFar"]', 'Twee aanbieders, allebei een wachtlijst');
    await page.selectOption('[name="school.status"]', 'not_attending');
    await page.fill('[name="school.notAttendingSince"]', '2025-09-01');
    // The summary is left empty: the form comes back with the error beside that field.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await page.waitForSelector('#veld-requestForHelp-summary-fout');
    expect(await page.textContent('#veld-requestForHelp-summary-fout')).toContain('Vul dit in');
    expect(await page.inputValue('[name="subject.reference"]')).toBe(reference);
    await check(page);
    await page.fill('[name="requestForHelp.summary"]', 'Vastgelopen tussen ggz en school');
    await Promise.all([page.waitForURL(/gedaan=SUBMIT/), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    expect(await page.textContent('h1')).toContain(reference);
    caseUrl = new URL(page.url()).pathname;
    await check(page);
    await page.getByRole('link', { name: 'Mijn casussen' }).click();
    expect(await page.textContent('main')).toContain(reference);
    await check(page);
    await context.close();
  }, 60_000);

  it('the coordinator finds it in the work queue and takes it from triage to follow-up through the forms', async () => {
    coordinator = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
    const { context, page } = await signedIn(coordinator);
    // Signed in, a person lands on mijn werk (§6.3); the work queue is one link away.
    expect(await page.textContent('h1')).toBe('Mijn werk');
    await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Werkvoorraad' }).click();
    expect(await page.textContent('h1')).toBe('Werkvoorraad');
    await page.getByRole('link', { name: reference }).click();
    await check(page);
    expect(await page.locator('svg title').textContent()).toContain('Aangemeld');

    // The regisseur is chosen from the region's expert team, the person starting the triage by default (§6.3).
    await act(page, 'START_TRIAGE', async (f) => {
      expect(await page.locator(`${f} [name="regisseur"] option:checked`).textContent()).toBe('Carla Coördinator');
    });
    await act(page, 'ACCEPT', async (f) => {
      await page.check(`${f} [name="findings.regularRoutesTried"]`);
      await page.check(`${f} [name="findings.questionClear"]`);
      await page.fill(`${f} [name="rationale"]`, 'De gewone routes zijn uitgeput');
    });
    await act(page, 'SCHEDULE_OVERLEG', async (f) => {
      await page.fill(`${f} [name="scheduledAt"]`, '2026-01-05T10:30');
      await page.selectOption(`${f} [name="participants.0.role"]`, 'youth');
      await page.selectOption(`${f} [name="participants.1.role"]`, 'parents');
      await page.selectOption(`${f} [name="participants.2.role"]`, 'professional');
      await page.fill(`${f} [name="participants.2.organisation"]`, 'GGD');
      await page.fill(`${f} [name="participants.2.discipline"]`, 'Jeugdarts');
    });
    expect(await page.textContent('#kop-overleg + p')).toContain('5 januari 2026');
    await act(page, 'RECORD_OVERLEG', async (f) => {
      await page.fill(`${f} [name="heldAt"]`, '2026-01-05T09:30');
      await page.selectOption(`${f} [name="youth.participation"]`, 'present');
      await page.selectOption(`${f} [name="parents.participation"]`, 'present');
      await page.fill(`${f} [name="professionals.0.organisation"]`, 'GGD');
      await page.fill(`${f} [name="professionals.0.discipline"]`, 'Jeugdarts');
      await page.fill(`${f} [name="analysis"]`, 'School en zorg werken langs elkaar heen');
    });
    await act(page, 'ISSUE_ADVICE', async (f) => {
      await page.fill(`${f} [name="summary"]`, 'Onderwijs-zorgarrangement');
      await page.selectOption(`${f} [name="helpItems.0.kind"]`, 'existing_offer');
      await page.fill(`${f} [name="helpItems.0.description"]`, 'Onderwijszorg met ggz-coach');
      await page.fill(`${f} [name="helpItems.0.fitRationale"]`, 'Past bij de wens om stap voor stap terug te gaan');
      await page.fill(`${f} [name="helpItems.0.waitingWeeks"]`, '0');
      await page.fill(`${f} [name="helpItems.0.responsibleOrganisation"]`, 'Gemeente Amsterdam');
      await page.selectOption(`${f} [name="familyResponse.youth"]`, 'agrees');
      await page.selectOption(`${f} [name="familyResponse.parents"]`, 'agrees');
    });
    expect(await page.locator('svg title').textContent()).toContain('Monitoren');
    expect(await page.textContent('#kop-hulp ~ section table')).toContain('Onderwijszorg met ggz-coach');
    await context.close();
  }, 90_000);

  it('the wijkteam worker reports the help started', async () => {
    const { context, page } = await signedIn(worker);
    await page.goto(`${base}${caseUrl}`);
    await act(page, 'UPDATE_HELP_ITEM', async (f) => {
      await page.selectOption(`${f} [name="status"]`, 'started');
    });
    expect(await page.textContent('#kop-hulp ~ section table')).toContain('Gestart');
    await act(page, 'ADD_NOTE', (f) => page.fill(`${f} [name="text"]`, 'Gesprek met de school gehad'));
    expect(await page.textContent('#kop-voortgang ~ section table')).toContain('Gesprek met de school gehad');
    await context.close();
  }, 60_000);

  it('an inspector states a purpose, finds the case in the file review and reads its trail and access log', async () => {
    const inspector = await person(ctx, 'inspector', 'igj', 'R01', 'Inspecteur Ines');
    const { context, page } = await signedIn(inspector);
    expect(new URL(page.url()).pathname).toBe('/doel');
    await page.fill('#doel', 'Toezicht regionale expertteams 2026');
    await Promise.all([page.waitForURL(/dossieronderzoek/), page.getByRole('button', { name: 'Doel vastleggen' }).click()]);
    await page.selectOption('#status', 'follow_up');
    await Promise.all([page.waitForURL(/zoek=ja/), page.getByRole('button', { name: 'Zoeken' }).click()]);
    await check(page);
    await page.getByRole('link', { name: reference }).click();
    await check(page);
    expect(await page.locator('#kop-acties').count()).toBe(0);
    await page.getByRole('link', { name: 'Verloop (alle vastleggingen)' }).click();
    const trail = await page.textContent('main');
    expect(trail).toContain('Carla Coördinator');
    expect(trail).toContain('Wim Wijkteam');
    expect(trail).toContain('Hulponderdeel bijgewerkt');
    expect(trail).toContain('Waarom neemt het expertteam de casus aan?');
    await check(page);
    await page.goto(`${base}${caseUrl}/toegang`);
    const log = await page.textContent('main');
    expect(log).toContain('Carla Coördinator');
    expect(log).toContain('Toezicht regionale expertteams 2026');
    await check(page);
    await page.getByRole('link', { name: 'Controle van het logboek' }).click();
    await Promise.all([page.waitForURL(/controleer=ja/), page.getByRole('button', { name: 'Nu controleren' }).click()]);
    expect(await page.textContent('main')).toContain('Het logboek klopt');
    await check(page);
    await crawl(page);
    await context.close();
  }, 90_000);

  it('every page reachable by links from each role\'s start page answers 2xx and passes axe', async () => {
    const admin = await person(ctx, 'admin', 'beheer-r01', 'R01', 'Bea Beheer');
    for (const user of [worker, coordinator, admin]) {
      const { context, page } = await signedIn(user);
      const pages = await crawl(page);
      expect(pages.length).toBeGreaterThan(1);
      await context.close();
    }
    const { context, page } = await signedIn(admin);
    await page.fill('[name="name"]', 'Nieuwe Collega');
    await page.fill('[name="email"]', 'collega@example.nl');
    await page.selectOption('[name="role"]', 'expert_team');
    await page.fill('[name="organisation"]', 'ret-r01');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Toevoegen', exact: true }).click()]);
    await page.waitForSelector('#kop-inloggen');
    // The admin never sees a sign-in link (issue 29): the page says who makes one.
    expect(await page.textContent('main')).not.toMatch(/\/inloggen\?code=/);
    expect(await page.textContent('#kop-inloggen ~ p code')).toMatch(/^npm run cli -- user sign-in-link [0-9a-f-]{36}$/);
    await check(page);
    await context.close();
  }, 120_000);

  it('with twenty cases and five people, the lists and Beheer still pass axe', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await ctx.call(ctx.localTeam, { method: 'POST', url: '/api/v1/cases',
        payload: submission({ subject: { ...submission().subject, reference: `WN-2026-${100 + i}` } }) });
      expect(res.statusCode, res.body).toBe(201);
      if (i % 2 === 0) {
        const started = await ctx.call(ctx.expertTeam, { method: 'POST', url: `/api/v1/cases/${res.json().id}/events`,
          payload: { type: 'START_TRIAGE', coordinator: 'Procesregisseur A' } });
        expect(started.statusCode, started.body).toBe(200);
      }
    }
    const inspector = await person(ctx, 'inspector', 'igj', 'R01', 'Inspecteur Ivo');
    const admin = (await ctx.app.services.people.list()).find((u) => u.name === 'Bea Beheer')!;
    expect((await ctx.app.services.people.list()).length).toBeGreaterThanOrEqual(5);
    for (const [user, path, rows] of [[coordinator, '/casussen?afgesloten=ja', 20], [worker, '/casussen?afgesloten=ja', 20], [admin, '/beheer', 5],
      [inspector, '/dossieronderzoek?zoek=ja', 20]] as const) {
      const { context, page } = await signedIn(user as User);
      if (user === inspector) {
        await page.fill('#doel', 'Toezicht regionale expertteams 2026');
        await Promise.all([page.waitForURL(/dossieronderzoek/), page.getByRole('button', { name: 'Doel vastleggen' }).click()]);
      }
      await page.goto(`${base}${path}`);
      expect(await page.locator('main tbody tr').count(), path).toBeGreaterThanOrEqual(rows);
      await check(page, true);
      await context.close();
    }
  }, 120_000);

  it('no page visited has an axe-core violation', () => {
    expect(checked.size).toBeGreaterThan(15);
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
  });
});
