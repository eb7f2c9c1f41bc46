/**
 * The public page of the expert teams (issue 26) in Chromium, as a parent or a GP would use it
 * without an account: search by name, read how to reach and refer to the team, follow a link of
 * the list; and a municipality's person in the console, who sees the signalering of its own
 * municipality and nothing of cases. axe-core (WCAG 2.1 AA) and html-validate check every page.
 */
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestContext } from '../support/app.ts';
import { submission } from '../support/fixtures.ts';
import { axeViolations, signedInPage, type AxeViolation } from '../console/browser.ts';
import { person, signInLink } from '../console/session.ts';
import { servedConsole } from '../console/served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let caseId = '';
const violations: { url: string; violations: AxeViolation[] }[] = [];
const invalid: { url: string; errors: string[] }[] = [];
const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole(null));
  await ctx.regions.set('R01', {
    municipalities: ['GM0153', 'GM0164'], teamName: 'Expertteam Twente', phone: '053 123 45 67',
    email: 'expertteam@twente.example', howToRefer: 'Bel ons of mail ons met uw vraag.',
  });
  for (let i = 0; i < 5; i++) {
    caseId = await ctx.createCase(submission({ subject: { ...submission().subject, municipalityCode: 'GM0153' } }));
  }
}, 60_000);
afterAll(async () => { await stop?.(); });

async function checked(page: Page, path: string): Promise<number> {
  const res = await page.goto(`${base}${path}`);
  const report = await validator.validateString(await res!.text());
  if (!report.valid) invalid.push({ url: path, errors: report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`)) });
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: path, violations: found });
  return res!.status();
}

describe('/expertteams in a browser, without an account', () => {
  it('finds a municipality\'s team by name, with how to reach it, and every municipality in a list', async () => {
    // The page has no script of its own (its policy allows none); axe is injected by the test.
    const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    try {
      expect(await checked(page, '/expertteams')).toBe(200);
      await page.getByRole('searchbox', { name: 'Gemeente' }).fill('enschede');
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForURL(/gemeente=enschede/);
      await expect(page.getByRole('heading', { name: 'Expertteam voor de gemeente Enschede' }).count()).resolves.toBe(1);
      expect(await page.locator('main a[href^="tel:"]').first().getAttribute('href')).toBe('tel:0531234567');
      expect(await page.textContent('main')).toContain('Bel ons of mail ons met uw vraag.');
      expect(await checked(page, '/expertteams?gemeente=enschede')).toBe(200);
      expect(await checked(page, '/expertteams?gemeente=Bergen')).toBe(200);
      expect(await page.textContent('main')).toContain('gemeenten gevonden');
      expect(await checked(page, '/expertteams?gemeente=Atlantis')).toBe(200);
      expect(await checked(page, '/expertteams?gemeente=GM0014')).toBe(200);
      expect(await page.textContent('main')).toContain('staat nog geen expertteam');
      // At 390 px the page still works: the list scrolls in its own region.
      await page.setViewportSize({ width: 390, height: 800 });
      expect(await checked(page, '/expertteams')).toBe(200);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('a municipality\'s person sees the signalering of its own municipality, and no case', async () => {
    const user = await person(ctx, 'municipality', 'GM0153', 'R01', 'Gemma Gemeente');
    const { context, page } = await signedInPage(browser, base, await signInLink(ctx, user));
    try {
      expect(new URL(page.url()).pathname).toBe('/signalering');
      expect(await checked(page, '/signalering')).toBe(200);
      expect(await page.textContent('h1')).toContain('Signalering gemeente Enschede');
      expect(await page.textContent('main')).toContain('Aantallen kleiner dan 5 zijn weggelaten');
      expect(await checked(page, '/casussen')).toBe(403);
      expect((await page.goto(`${base}/casussen/${caseId}`))?.status()).toBe(403);
      expect(await page.textContent('body')).not.toContain('WN-2026-0042');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('no page has an axe violation or invalid HTML', () => {
    expect(violations).toEqual([]);
    expect(invalid).toEqual([]);
  });
});
