/**
 * The region's supply in the console (DESIGN §6.4), in Chromium as the people work: the admin
 * registers an offer (Beheer → Aanbod), its provider reports 9 weeks, the expert team reads the
 * register and advises the offer picked from a select (no script), is asked why maatwerk fits
 * where no offer does, and later sees "Wachttijd bij advies: 9 weken; nu: 11 weken"; the supply
 * report shows its chart. axe-core checks every page visited.
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
let admin: User;
let provider: User;
let expert: User;
const violations: { url: string; violations: AxeViolation[] }[] = [];

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole(null));
  admin = await person(ctx, 'admin', 'beheer', 'R01', 'Bea Beheer');
  provider = await person(ctx, 'provider', 'Jeugdzorg Oost', 'R01', 'Piet Planner');
  expert = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
}, 120_000);

afterAll(async () => { await stop?.(); });

async function check(page: Page): Promise<void> {
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: new URL(page.url()).pathname, violations: found });
}

const signedIn = async (user: User) => (await signedInPage(browser, base, await signInLink(ctx, user))).page;

async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)]);
  await page.waitForLoadState('load');
  await check(page);
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await check(page);
}

describe('supply and waiting times in the console (§6.4)', () => {
  let providerPage: Page;

  it('the admin registers an offer; a form with errors says what is wrong', async () => {
    const page = await signedIn(admin);
    await visit(page, '/beheer/aanbod');
    await press(page, 'form[action="/beheer/aanbod"] button[type="submit"]');
    expect(await page.locator('.utrecht-form-field-error-message').count()).toBeGreaterThan(0);
    await page.fill('#veld-provider, [name="provider"]', 'Jeugdzorg Oost');
    await page.fill('form[action="/beheer/aanbod"] [name="name"]', 'Dagbehandeling 12+');
    await page.selectOption('form[action="/beheer/aanbod"] [name="kind"]', 'dagbehandeling');
    await page.check('form[action="/beheer/aanbod"] [name="laws"][value="jeugdwet"]');
    await page.fill('form[action="/beheer/aanbod"] [name="municipalities"]', 'GM0363\nGM0153');
    await page.fill('form[action="/beheer/aanbod"] [name="minAge"]', '12');
    await press(page, 'form[action="/beheer/aanbod"] button[type="submit"]');
    expect(page.url()).toContain('gedaan=aanbod');
    const table = await page.locator('table').first().textContent();
    expect(table).toContain('Dagbehandeling 12+');
    expect(table).toContain('Enschede');
    expect(table).toContain('Nog niet gemeld');
  });

  it('its provider reports 9 weeks on its own page', async () => {
    providerPage = await signedIn(provider);
    expect(new URL(providerPage.url()).pathname).toBe('/wachttijden');
    await check(providerPage);
    await providerPage.click('details.console-action > summary');
    await providerPage.fill('details.console-action [name="weeks"]', '9');
    await press(providerPage, 'details.console-action button[type="submit"]');
    expect(providerPage.url()).toContain('gedaan=wachttijd');
    expect(await providerPage.locator('table').first().textContent()).toContain('9 weken');
  });

  it('the expert team reads the register, advises the offer, and is asked why maatwerk', async () => {
    const id = await ctx.caseIn('advising');
    const page = await signedIn(expert);
    await visit(page, '/aanbod');
    expect(await page.locator('table').first().textContent()).toContain('9 weken');
    await visit(page, `/casussen/${id}`);
    const form = '#actie-ISSUE_ADVICE';
    await page.click(`${form} > summary`);
    await page.fill(`${form} [name="summary"]`, 'Dagbehandeling en een passende plek op school');
    const offer = await page.locator(`${form} [name="helpItems.0.offerId"] option`).nth(1).getAttribute('value');
    await page.selectOption(`${form} [name="helpItems.0.kind"]`, 'existing_offer');
    await page.fill(`${form} [name="helpItems.0.description"]`, 'Dagbehandeling voor jongeren vanaf 12');
    await page.selectOption(`${form} [name="helpItems.0.offerId"]`, offer!);
    await page.fill(`${form} [name="helpItems.0.fitRationale"]`, 'Sluit aan bij de wens om overdag structuur te hebben');
    await page.fill(`${form} [name="helpItems.0.responsibleOrganisation"]`, 'Gemeente Amsterdam');
    await page.selectOption(`${form} [name="helpItems.1.kind"]`, 'custom_arrangement');
    await page.fill(`${form} [name="helpItems.1.description"]`, 'Onderwijs-zorgarrangement op maat');
    await page.fill(`${form} [name="helpItems.1.fitRationale"]`, 'Combineert lessen en zorg zoals de jongere vraagt');
    await page.fill(`${form} [name="helpItems.1.waitingWeeks"]`, '2');
    await page.fill(`${form} [name="helpItems.1.responsibleOrganisation"]`, 'Gemeente Amsterdam');
    await page.selectOption(`${form} [name="helpItems.1.financing.0.law"]`, 'jeugdwet');
    await page.fill(`${form} [name="helpItems.1.financing.0.funder"]`, 'Gemeente Amsterdam');
    await page.selectOption(`${form} [name="familyResponse.youth"]`, 'agrees');
    await page.selectOption(`${form} [name="familyResponse.parents"]`, 'agrees');
    await press(page, `${form} button.utrecht-button--primary-action`);
    // Maatwerk without a reason why no existing offer fits: refused, the field named.
    expect(await page.locator(`${form} [name="helpItems.1.noOfferBecause"]`).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.utrecht-alert, .console-error-summary, [role="alert"]').first().textContent()).toBeTruthy();
    await page.fill(`${form} [name="helpItems.1.noOfferBecause"]`, 'Geen aanbod in de regio combineert school en zorg');
    await press(page, `${form} button.utrecht-button--primary-action`);
    expect(page.url()).toContain('gedaan=ISSUE_ADVICE');
    const advice = await page.locator('section[aria-labelledby="kop-advies"]').textContent();
    expect(advice).toContain('Wachttijd bij advies: 9 weken; nu: 9 weken');
    expect(advice).toContain('Geen aanbod in de regio combineert school en zorg');

    // The provider reports 11 weeks (measured the same day, reported later: the latest counts); the case page shows both.
    ctx.clock.advance(60_000);
    await providerPage.goto(`${base}/wachttijden`);
    await providerPage.click('details.console-action > summary');
    await providerPage.fill('details.console-action [name="weeks"]', '11');
    await press(providerPage, 'details.console-action button[type="submit"]');
    await visit(page, `/casussen/${id}`);
    expect(await page.locator('section[aria-labelledby="kop-advies"]').textContent())
      .toContain('Wachttijd bij advies: 9 weken; nu: 11 weken');

    await visit(page, '/aanbodrapportage?van=2026-01&tot=2026-01');
    expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).toContain('Dagbehandeling');
  }, 120_000);

  it('a provider reads no case and no report', async () => {
    const response = await providerPage.goto(`${base}/aanbodrapportage`);
    expect(response?.status()).toBe(403);
    expect((await providerPage.goto(`${base}/casussen`))?.status()).toBe(403);
  });

  it('axe-core found no violation on any page visited', () => {
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
  });
});
