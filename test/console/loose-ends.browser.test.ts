/**
 * No loose ends in the console (DESIGN §6.1), in Chromium as the people work: the expert team
 * records an overleg with more commitments than the form first shows (a button adds a row, no
 * script needed), the wijkteam worker settles one of them, a reason of "." is refused in plain
 * Dutch, and a declined referral says "Afgewezen" with the reason and the advice to the referrer,
 * to the referring wijkteam too. axe-core checks every page visited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { type TestContext } from '../support/app.ts';
import { axeViolations, signedInPage, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import type { User } from '../../src/store/rows.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let coordinator: User;
let worker: User;
const violations: { url: string; violations: AxeViolation[] }[] = [];

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole(null));
  coordinator = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
  worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
}, 120_000);

afterAll(async () => { await stop?.(); });

async function check(page: Page): Promise<void> {
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: new URL(page.url()).pathname, violations: found });
}

const signedIn = async (user: User) => signedInPage(browser, base, await signInLink(ctx, user));

/** Presses a submit button of the form and waits for the page it answers with. */
async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)]);
  await page.waitForLoadState('load');
  await check(page);
}

describe('no loose ends in the console (§6.1)', () => {
  it('the expert team records an overleg with three commitments; the wijkteam settles one', async () => {
    const id = await ctx.caseIn('overleg_scheduled');
    const expert = await signedIn(coordinator);
    const page = expert.page;
    await page.goto(`${base}/casussen/${id}`);
    const form = '#actie-RECORD_OVERLEG';
    await page.click(`${form} > summary`);
    await page.fill(`${form} [name="heldAt"]`, '2026-01-05T09:30');
    await page.selectOption(`${form} [name="youth.participation"]`, 'present');
    await page.selectOption(`${form} [name="parents.participation"]`, 'heard_beforehand');
    await page.fill(`${form} [name="professionals.0.organisation"]`, 'GGD');
    await page.fill(`${form} [name="professionals.0.discipline"]`, 'Jeugdarts');
    await page.fill(`${form} [name="analysis"]`, 'School en zorg werken langs elkaar heen');
    const promises = [
      ['Wijkteam Noord', 'Huisbezoek met de school', '2026-01-09'],
      ['Gemeente Amsterdam', 'Besluit over het arrangement', '2026-01-16'],
      ['GGZ Noord', 'Intake plannen', '2026-01-12'],
    ] as const;
    for (const [i, [organisation, action, dueAt]] of promises.entries()) {
      // The form shows two rows; the button brings a third, with what was typed kept.
      if (i === 2) {
        await press(page, `${form} button[name="_meer"][value="commitments"]`);
        expect(await page.inputValue(`${form} [name="commitments.1.action"]`)).toBe('Besluit over het arrangement');
        expect(await page.inputValue(`${form} [name="analysis"]`)).toBe('School en zorg werken langs elkaar heen');
        expect(await page.locator('.utrecht-alert').first().textContent()).toContain('Er is nog niets vastgelegd');
      }
      await page.fill(`${form} [name="commitments.${i}.organisation"]`, organisation);
      await page.fill(`${form} [name="commitments.${i}.action"]`, action);
      await page.fill(`${form} [name="commitments.${i}.dueAt"]`, dueAt);
    }
    await press(page, `${form} button.utrecht-button--primary-action`);
    expect(page.url()).toContain('gedaan=RECORD_OVERLEG');
    const section = page.locator('section[aria-labelledby="kop-afspraken"]');
    await expect.poll(() => section.textContent()).toContain('3 van 3 afspraken staan nog open');
    expect(await section.textContent()).toContain('Besluit over het arrangement');
    const deadlines = await page.locator('table', { hasText: 'Open termijnen' }).textContent();
    expect(deadlines).toContain('Afspraak');
    expect(deadlines).toContain('Advies na het overleg');
    await expert.context.close();

    const local = await signedIn(worker);
    await local.page.goto(`${base}/casussen/${id}`);
    await check(local.page);
    const settle = '#actie-UPDATE_COMMITMENT';
    await local.page.click(`${settle} > summary`);
    await local.page.selectOption(`${settle} [name="commitmentId"]`, { label: 'Wijkteam Noord: Huisbezoek met de school' });
    await local.page.selectOption(`${settle} [name="status"]`, 'done');
    await local.page.fill(`${settle} [name="date"]`, '2026-01-05');
    await press(local.page, `${settle} button.utrecht-button--primary-action`);
    expect(local.page.url()).toContain('gedaan=UPDATE_COMMITMENT');
    const after = await local.page.locator('section[aria-labelledby="kop-afspraken"]').textContent();
    expect(after).toContain('2 van 3 afspraken staan nog open');
    expect(after).toContain('Nagekomen');
    await local.context.close();
  }, 180_000);

  it('a reason of "." is refused in plain Dutch; a declined referral says Afgewezen, why, and the advice, to the wijkteam too', async () => {
    const id = await ctx.caseIn('triage');
    const expert = await signedIn(coordinator);
    const page = expert.page;
    await page.goto(`${base}/casussen/${id}`);
    const form = '#actie-DECLINE';
    await page.click(`${form} > summary`);
    await page.fill(`${form} [name="reason"]`, '.');
    await page.fill(`${form} [name="adviceToReferrer"]`, 'Vraag eerst het zorgteam van de school om mee te denken');
    await press(page, `${form} button.utrecht-button--primary-action`);
    expect(await page.locator('.utrecht-alert--error').first().textContent()).toContain('minstens 10 tekens');
    expect((await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json().state).toBe('triage');
    await page.fill(`${form} [name="reason"]`, 'De gewone routes zijn nog niet geprobeerd');
    await press(page, `${form} button.utrecht-button--primary-action`);
    expect(page.url()).toContain('gedaan=DECLINE');
    expect(await page.locator('.console-badge').first().textContent()).toBe('Afgewezen');
    await expert.context.close();

    const local = await signedIn(worker);
    // Closed cases are on the list when asked for (§6.3).
    await local.page.goto(`${base}/casussen?afgesloten=ja`);
    await check(local.page);
    expect(await local.page.locator('tr', { hasText: 'WN-2026-0042' }).first().textContent()).toBeTruthy();
    expect(await local.page.locator('tbody').textContent()).toContain('Afgewezen');
    await local.page.goto(`${base}/casussen/${id}`);
    await check(local.page);
    const ending = await local.page.locator('section[aria-labelledby="kop-afsluiting"]').textContent();
    expect(ending).toContain('Afgewezen');
    expect(ending).toContain('De gewone routes zijn nog niet geprobeerd');
    expect(ending).toContain('Vraag eerst het zorgteam van de school om mee te denken');
    await local.context.close();
  }, 180_000);

  it('axe-core found no violation on any page visited', () => {
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
  });
});
