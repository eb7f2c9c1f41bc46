/**
 * The overleg as a meeting in the console (DESIGN §6.3), in Chromium with JavaScript switched
 * off: the expert team plans an MDO of ten with an agenda, adding rows with "Nog een deelnemer
 * toevoegen" (each press posts the form back with one row more and everything typed kept), the
 * case page shows the agenda and the "Zet in agenda (.ics)" link, and the record form starts with
 * the professionals who were invited. axe-core checks every page visited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type TestContext } from '../support/app.ts';
import { axeViolations, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import type { User } from '../../src/store/rows.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let coordinator: User;
const violations: { url: string; violations: AxeViolation[] }[] = [];
/** The pages axe-core checked. */
const checked: string[] = [];

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole(null));
  coordinator = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
}, 120_000);

afterAll(async () => {
  await checker?.close();
  await stop?.();
});

let checker: BrowserContext | undefined;

/**
 * axe-core runs as a script, which this test's browser does not run: the page's HTML is checked
 * in a second browser, served there at the same address (so its style sheets load as they did).
 */
async function check(page: Page): Promise<void> {
  const url = page.url();
  const html = await page.content();
  checker ??= await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const copy = await checker.newPage();
  await copy.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await copy.goto(url);
  const found = await axeViolations(copy);
  await copy.close();
  checked.push(new URL(url).pathname);
  if (found.length > 0) violations.push({ url: new URL(url).pathname, violations: found });
}

/** Signed in in a browser that runs no script of the page: the console must work without. */
async function signedInWithoutScript(user: User): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', javaScriptEnabled: false });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await page.goto(`${base}/inloggen?code=${await signInLink(ctx, user)}`);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Inloggen' }).click()]);
  return { context, page };
}

/** Presses a submit button and waits for the page it answers with. */
async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)]);
  await page.waitForLoadState('load');
  await check(page);
}

/** Youth, parents, the GI and seven professionals. */
const TABLE: [role: string, organisation: string, discipline: string][] = [
  ['youth', '', ''], ['parents', '', ''], ['guardian', 'Jeugdbescherming West', 'Jeugdbeschermer'],
  ['professional', 'GGZ Noord', 'Psychiater'], ['professional', 'VO-school De Brug', 'Zorgcoördinator'],
  ['professional', 'Wijkteam Noord', 'Jeugdconsulent'], ['professional', 'GGD', 'Jeugdarts'],
  ['professional', 'Leerplicht', 'Leerplichtambtenaar'], ['professional', 'Zorgaanbieder Zuid', 'Gedragswetenschapper'],
  ['professional', 'Gemeente Amsterdam', 'Beleidsadviseur jeugd'],
];
const AGENDA = 'Kennismaking\nWat is al geprobeerd\nAfspraken tot de zomer';
/** A browser posts a textarea's line breaks as CRLF. */
const lf = (text: string): string => text.replace(/\r\n/g, '\n');

describe('the overleg as a meeting in the console (§6.3)', () => {
  it('plans an overleg of ten with an agenda, adding rows without script; the record form starts with who was invited', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const { context, page } = await signedInWithoutScript(coordinator);
    await page.goto(`${base}/casussen/${id}`);
    await check(page);
    const form = '#actie-SCHEDULE_OVERLEG';
    await page.click(`${form} > summary`);
    await page.fill(`${form} [name="scheduledAt"]`, '2026-01-05T14:00');
    await page.fill(`${form} [name="agenda"]`, AGENDA);
    const fill = async (i: number) => {
      const [role, organisation, discipline] = TABLE[i]!;
      await page.selectOption(`${form} [name="participants.${i}.role"]`, role);
      if (organisation) await page.fill(`${form} [name="participants.${i}.organisation"]`, organisation);
      if (discipline) await page.fill(`${form} [name="participants.${i}.discipline"]`, discipline);
    };
    // The form shows five rows; each press of the button brings one more, with all typed kept.
    expect(await page.locator(`${form} [name$=".role"][name^="participants."]`).count()).toBe(5);
    for (let i = 0; i < 5; i++) await fill(i);
    for (let i = 5; i < TABLE.length; i++) {
      await press(page, `${form} button[name="_meer"][value="participants"]`);
      expect(await page.locator('.utrecht-alert').first().textContent()).toContain('Er is nog niets vastgelegd');
      expect(await page.locator(`${form} [name$=".role"][name^="participants."]`).count()).toBe(i + 1);
      expect(await page.inputValue(`${form} [name="participants.${i}.organisation"]`)).toBe('');
      for (let j = 0; j < i; j++) {
        expect(await page.inputValue(`${form} [name="participants.${j}.role"]`)).toBe(TABLE[j]![0]);
        expect(await page.inputValue(`${form} [name="participants.${j}.organisation"]`)).toBe(TABLE[j]![1]);
        expect(await page.inputValue(`${form} [name="participants.${j}.discipline"]`)).toBe(TABLE[j]![2]);
      }
      expect(lf(await page.inputValue(`${form} [name="agenda"]`))).toBe(AGENDA);
      expect(await page.inputValue(`${form} [name="scheduledAt"]`)).toBe('2026-01-05T14:00');
      await fill(i);
    }
    // Nothing was sent while rows were added.
    expect((await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json().state).toBe('planning_overleg');
    await press(page, `${form} button.utrecht-button--primary-action`);
    expect(page.url()).toContain('gedaan=SCHEDULE_OVERLEG');

    const view = (await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json();
    expect(view.state).toBe('overleg_scheduled');
    expect(view.data.overlegSchedules[0].participants).toHaveLength(10);
    expect(lf(view.data.overlegSchedules[0].agenda as string)).toBe(AGENDA);
    const section = page.locator('section[aria-labelledby="kop-overleg"]');
    expect(await section.locator('dd').first().innerText()).toBe(AGENDA);
    expect(await section.locator('table tbody tr').count()).toBe(10);
    const link = section.getByRole('link', { name: 'Zet in agenda (.ics)' });
    expect(await link.getAttribute('href')).toBe(`/casussen/${id}/overleg.ics`);
    const ics = await page.request.get(`${base}/casussen/${id}/overleg.ics`);
    expect(ics.status()).toBe(200);
    expect(ics.headers()['content-type']).toBe('text/calendar; charset=utf-8');
    expect(await ics.text()).toContain('DTSTART:20260105T130000Z');
    expect(await ics.text()).not.toContain('Kennismaking');

    // The record starts with the GI and the seven professionals who were invited.
    const record = '#actie-RECORD_OVERLEG';
    await page.click(`${record} > summary`);
    const invited = TABLE.filter(([role]) => role === 'guardian' || role === 'professional');
    expect(await page.locator(`${record} [name$=".organisation"][name^="professionals."]`).count()).toBe(invited.length);
    for (const [i, [, organisation, discipline]] of invited.entries()) {
      expect(await page.inputValue(`${record} [name="professionals.${i}.organisation"]`)).toBe(organisation);
      expect(await page.inputValue(`${record} [name="professionals.${i}.discipline"]`)).toBe(discipline);
    }
    // One did not come; one more came who was not invited.
    await page.fill(`${record} [name="professionals.7.organisation"]`, '');
    await page.fill(`${record} [name="professionals.7.discipline"]`, '');
    await press(page, `${record} button[name="_meer"][value="professionals"]`);
    await page.fill(`${record} [name="professionals.8.organisation"]`, 'Huisartsenpraktijk Noord');
    await page.fill(`${record} [name="professionals.8.discipline"]`, 'Praktijkondersteuner jeugd');
    await page.fill(`${record} [name="heldAt"]`, '2026-01-05T14:00');
    await page.selectOption(`${record} [name="youth.participation"]`, 'present');
    await page.selectOption(`${record} [name="parents.participation"]`, 'present');
    await page.fill(`${record} [name="analysis"]`, 'School en zorg werken langs elkaar heen; de wet die betaalt is onduidelijk');
    await press(page, `${record} button.utrecht-button--primary-action`);
    expect(page.url()).toContain('gedaan=RECORD_OVERLEG');
    const held = (await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json();
    expect(held.data.overlegRecords[0].professionals.map((p: { organisation: string }) => p.organisation)).toEqual([
      ...invited.slice(0, 7).map(([, organisation]) => organisation), 'Huisartsenpraktijk Noord',
    ]);
    // Held: no calendar entry any more.
    expect(await page.locator('section[aria-labelledby="kop-overleg"]').getByRole('link', { name: 'Zet in agenda (.ics)' }).count()).toBe(0);
    await context.close();
  }, 240_000);

  it('axe-core found no violation on any page visited', () => {
    // The case page, and each page a button brought: five more participants, one more professional, the results.
    expect(checked.length).toBeGreaterThanOrEqual(9);
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
  });
});
