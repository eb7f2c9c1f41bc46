/**
 * Mijn werk and the werkvoorraad in Chromium (DESIGN §6.3), checked by axe-core (WCAG 2.1 AA):
 * a person of the expert team lands on the cases they run and takes one over through the form; a
 * person of a local team lands on what waits for them, marked "Er ligt iets voor u"; the
 * werkvoorraad shows the regisseur and the urgency and leaves closed cases out until asked,
 * without any script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { User } from '../../src/store/rows.ts';
import { applied, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { axeViolations, signedInPage } from './browser.ts';
import { servedConsole } from './served.ts';
import { person, signInLink } from './session.ts';

let ctx: TestContext;
let base: string;
let browser: Browser;
let stop: (() => Promise<void>) | undefined;
let anna: User;
let bram: User;
let wim: User;
const ids: Record<string, string> = {};

async function caseOf(reference: string): Promise<string> {
  const base = submission();
  return ctx.createCase(submission({ subject: { ...base.subject, reference } }));
}

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole());
  anna = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Anna de Regisseur');
  bram = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Bram Bos');
  wim = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  ids.mine = await caseOf('BR-ANNA');
  await applied(ctx, ids.mine, events.START_TRIAGE({ regisseur: anna.id }));
  ids.question = await caseOf('BR-VRAAG');
  for (const event of [events.START_TRIAGE({ regisseur: bram.id }), events.REQUEST_INFORMATION()]) await applied(ctx, ids.question, event);
  ids.closed = await caseOf('BR-DICHT');
  await applied(ctx, ids.closed, events.WITHDRAW());
  ids.loose = await caseOf('BR-LOS');
}, 60_000);

afterAll(async () => { await stop?.(); });

async function signedIn(user: User): Promise<Page> {
  const { page } = await signedInPage(browser, base, await signInLink(ctx, user));
  // No script runs on these pages: everything below works without it.
  await page.context().route('**/*.js', (route) => route.abort());
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page), page.url()).toEqual([]);
}

const rowOf = (page: Page, reference: string) => page.locator('main tbody tr', { hasText: reference });

describe('mijn werk', () => {
  it('an expert-team person lands on the cases they run, and takes over a case through its form', async () => {
    const page = await signedIn(bram);
    expect(new URL(page.url()).pathname).toBe('/mijn-werk');
    expect(await page.textContent('h1')).toBe('Mijn werk');
    await expectAccessible(page);
    expect(await page.locator('main tbody tr').count()).toBe(1);
    expect(await rowOf(page, 'BR-VRAAG').textContent()).toContain('Wacht op informatie');

    // On Anna's case: who runs it, and the form that makes Bram regisseur instead.
    await page.goto(`${base}/casussen/${ids.mine}`);
    expect(await page.locator('#kop-stand ~ dl').textContent()).toContain('Anna de Regisseur');
    await page.click('#actie-ASSIGN > summary');
    expect(await page.locator('#actie-ASSIGN [name="userId"] option:checked').textContent()).toBe('Anna de Regisseur');
    await page.selectOption('#actie-ASSIGN [name="userId"]', { label: 'Bram Bos' });
    await expectAccessible(page);
    await Promise.all([page.waitForURL(/gedaan=ASSIGN/), page.click('#actie-ASSIGN button.utrecht-button--primary-action')]);
    expect(await page.locator('#kop-stand ~ dl').textContent()).toContain('Bram Bos');
    expect(await page.locator('#kop-tijdlijn ~ * tbody tr').first().textContent()).toContain('Procesregisseur: Bram Bos');

    await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn werk' }).click();
    expect(await page.locator('main tbody tr').count()).toBe(2);
    expect(await rowOf(page, 'BR-ANNA').textContent()).toContain('Triagebesluit nemen');
    await page.context().close();
  }, 120_000);

  it('a local-team person lands on what waits for them, marked "Er ligt iets voor u"', async () => {
    const page = await signedIn(wim);
    expect(new URL(page.url()).pathname).toBe('/mijn-werk');
    await expectAccessible(page);
    const rows = page.locator('main tbody tr');
    expect(await rows.count()).toBe(1);
    const row = await rowOf(page, 'BR-VRAAG').textContent();
    expect(row).toContain('Er ligt iets voor u');
    expect(row).toContain('Een vraag van het expertteam beantwoorden');
    // The marker is words, not only a colour.
    expect(await page.locator('main .console-badge--voor-u').first().isVisible()).toBe(true);
    await page.context().close();
  }, 120_000);
});

describe('the werkvoorraad', () => {
  it('shows the regisseur and the urgency, and leaves closed cases out until asked, without script', async () => {
    await applied(ctx, ids.mine!, events.ASSIGN({ userId: bram.id }));
    const page = await signedIn(anna);
    await page.goto(`${base}/casussen`);
    await expectAccessible(page);
    const headers = await page.locator('main thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Procesregisseur', 'Urgentie']));
    const column = headers.indexOf('Procesregisseur');
    expect(await rowOf(page, 'BR-ANNA').locator('td').nth(column).textContent()).toBe('Bram Bos');
    expect(await rowOf(page, 'BR-LOS').locator('td').nth(column).textContent()).toBe('—');
    expect(await rowOf(page, 'BR-DICHT').count()).toBe(0);

    await page.check('#afgesloten');
    await Promise.all([page.waitForURL(/afgesloten=ja/), page.getByRole('button', { name: 'Filteren' }).click()]);
    expect(await rowOf(page, 'BR-DICHT').count()).toBe(1);
    expect(await page.isChecked('#afgesloten')).toBe(true);
    await expectAccessible(page);

    // Within a week of its deadline a case says so; after it, the overdue cases come first, marked in words.
    const urgency = headers.indexOf('Urgentie');
    expect(await rowOf(page, 'BR-LOS').locator('td').nth(urgency).textContent()).toBe('Binnen een week');
    await page.context().close();
    // Six days on (and signed in again: the session has ended) the triage deadlines have passed.
    ctx.clock.advance(6 * 86_400_000);
    try {
      const later = await signedIn(anna);
      await later.goto(`${base}/casussen`);
      const first = later.locator('main tbody tr').first();
      expect(await first.locator('td').nth(urgency).textContent()).toBe('Te laat');
      await expectAccessible(later);
      await later.context().close();
    } finally {
      ctx.clock.advance(-6 * 86_400_000);
    }
  }, 120_000);
});
