/**
 * The file on the case page (DESIGN §6.2), in Chromium as its people read it: a case taken over the
 * API to a bridging plan shows the referring local team the family's own words, the overleg's wish,
 * the advice with each help item's provider, fit rationale and kind, and the bridging measures; the
 * expert team reads what was tried and the analysis there too. A declined case shows the reason and
 * the advice to the referrer; a consultation its advice. axe-core checks every page shown.
 */
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { applied, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import { axeViolations, signedInPage, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import type { User } from '../../src/store/rows.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let worker: User;
let coordinator: User;
const violations: { url: string; violations: AxeViolation[] }[] = [];
const invalid: { url: string; errors: string[] }[] = [];
const validator = new HtmlValidate({ extends: ['html-validate:recommended'],
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'button', 'reset', 'submit', 'checkbox'] }] } });

const WORDS = {
  youth: 'Ik wil gewoon weer naar mijn eigen klas',
  parents: 'Wij kloppen al een jaar overal aan',
  tried: 'Twee aanbieders geprobeerd, allebei een wachtlijst van maanden',
  wish: 'Terug naar school, niet naar een kliniek',
  analysis: 'De vraag loopt vast op de discussie welke wet betaalt',
  summary: 'Een arrangement van school en zorg samen, op maat',
  provider: 'Zorgaanbieder Zuid',
  fit: 'Past bij de wens om stap voor stap terug te gaan naar school',
  measures: ['Elke week contact met de procesregisseur', 'Twee ochtenden school met begeleiding'],
};

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole());
  // The API's local team is organisation wt-noord of R01: this person refers for that team.
  worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  coordinator = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
}, 60_000);

afterAll(async () => { await stop?.(); });

const send = (id: string, event: unknown): Promise<void> => applied(ctx, id, event);

/**
 * Fills the open advice form with these help items (kind and fit rationale), the family agreeing,
 * sends it and waits for the refusal's error summary.
 */
async function sendAdviceForm(page: Page, items: readonly (readonly [string, string])[]): Promise<void> {
  const f = '#actie-ISSUE_ADVICE';
  for (const [i, [kind, fit]] of items.entries()) {
    await page.selectOption(`${f} [name="helpItems.${i}.kind"]`, kind);
    await page.fill(`${f} [name="helpItems.${i}.description"]`, `Onderdeel ${i + 1}`);
    await page.fill(`${f} [name="helpItems.${i}.fitRationale"]`, fit);
    await page.fill(`${f} [name="helpItems.${i}.waitingWeeks"]`, '0');
    await page.fill(`${f} [name="helpItems.${i}.responsibleOrganisation"]`, 'Gemeente Amsterdam');
  }
  await page.selectOption(`${f} [name="familyResponse.youth"]`, 'agrees');
  await page.selectOption(`${f} [name="familyResponse.parents"]`, 'agrees');
  await Promise.all([page.waitForLoadState('load'), page.click(`${f} button.utrecht-button--primary-action`)]);
  await page.waitForSelector('#fouten-kop');
}

/** The case page as `user` sees it in Chromium, checked by axe; its sections' text by heading id. */
async function casePage(user: User, id: string): Promise<{ page: Page; section(id: string): Promise<string>; close(): Promise<void> }> {
  const { context, page } = await signedInPage(browser, base, await signInLink(ctx, user), 15_000);
  const res = await page.goto(`${base}/casussen/${id}`);
  expect(res?.status()).toBe(200);
  const report = await validator.validateString(await res!.text());
  const errors = report.results.flatMap((r) => r.messages).filter((m) => m.severity === 2).map((m) => `${m.line}: ${m.ruleId} ${m.message}`);
  if (errors.length > 0) invalid.push({ url: `${user.role} /casussen/${id}`, errors });
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: `${user.role} /casussen/${id}`, violations: found });
  return {
    page,
    section: async (heading) => (await page.locator(`section[aria-labelledby="kop-${heading}"]`).textContent()) ?? '',
    close: () => context.close(),
  };
}

describe('the case page as a file', () => {
  let bridged = '';

  beforeAll(async () => {
    bridged = await ctx.createCase(submission({
      requestForHelp: { summary: 'Vastgelopen tussen ggz en school', inWordsOfYouth: WORDS.youth, inWordsOfParents: WORDS.parents },
      triedSoFar: WORDS.tried,
    }));
    await send(bridged, events.START_TRIAGE());
    await send(bridged, events.ACCEPT());
    await send(bridged, events.SCHEDULE_OVERLEG());
    await send(bridged, events.RECORD_OVERLEG({
      youth: { participation: 'present', wish: WORDS.wish }, analysis: WORDS.analysis,
    }));
    // A wait of half a year: the case goes to bridging, and the plan takes it to follow-up.
    await send(bridged, events.ISSUE_ADVICE({
      summary: WORDS.summary, helpItems: [{ ...helpItem(26), provider: WORDS.provider, fitRationale: WORDS.fit }],
    }));
    await send(bridged, events.SET_BRIDGING_PLAN({ measures: WORDS.measures }));
    const noted = await ctx.send(ctx.localTeam, bridged, events.ADD_NOTE({ text: 'Gebeld met de mentor van school' }));
    expect(noted.statusCode, noted.body).toBe(200);
  }, 60_000);

  it('shows the referring local team the family\'s words, the wish, the advice with maatwerk, and the bridging measures', async () => {
    const { section, close } = await casePage(worker, bridged);
    const intake = await section('aanmelding');
    expect(intake).toContain(WORDS.youth);
    expect(intake).toContain(WORDS.parents);
    expect(await section('overleg')).toContain(WORDS.wish);
    const advice = await section('advies');
    expect(advice).toContain(WORDS.summary);
    expect(advice).toContain(WORDS.provider);
    expect(advice).toContain(WORDS.fit);
    expect(advice).toContain('Maatwerk');
    expect(advice).toContain('26 weken');
    const bridging = await section('overbrugging');
    for (const measure of WORDS.measures) expect(bridging).toContain(measure);
    const consent = await section('toestemming');
    expect(consent).toContain('13 of 14 jaar');
    expect(consent).toContain('de jongere en de ouders');
    await close();
  }, 120_000);

  it('gives the referring local team the same file in the API\'s case view', async () => {
    const res = await ctx.call(ctx.localTeam, { method: 'GET', url: `/api/v1/cases/${bridged}` });
    expect(res.statusCode, res.body).toBe(200);
    const data = res.json().data;
    expect(data.submission.requestForHelp).toMatchObject({ inWordsOfYouth: WORDS.youth, inWordsOfParents: WORDS.parents });
    expect(data.submission.triedSoFar).toBe(WORDS.tried);
    expect(data.overlegRecords[0]).toMatchObject({ analysis: WORDS.analysis, youth: { wish: WORDS.wish } });
    expect(data.advices[0]).toMatchObject({ summary: WORDS.summary });
    expect(data.advices[0].helpItems[0]).toMatchObject({ kind: 'custom_arrangement', provider: WORDS.provider, fitRationale: WORDS.fit });
    expect(data.bridgingPlans[0].measures).toEqual(WORDS.measures);
  });

  it('shows the expert team what was tried and the overleg\'s analysis', async () => {
    const { section, close } = await casePage(coordinator, bridged);
    expect(await section('aanmelding')).toContain(WORDS.tried);
    expect(await section('overleg')).toContain(WORDS.analysis);
    expect(await section('advies')).toContain(WORDS.fit);
    // Who wrote the note, from the trail the expert team reads.
    const notes = await section('voortgang');
    expect(notes).toContain('Gebeld met de mentor van school');
    expect(notes).toContain((await ctx.actorOf(ctx.localTeam)).name);
    await close();
  }, 120_000);

  it('shows a declined referral as "Afgewezen", with the reason and the advice to the referrer', async () => {
    const id = await ctx.createCase();
    await send(id, events.START_TRIAGE());
    await send(id, events.DECLINE({ reason: 'De gewone routes zijn nog niet geprobeerd', adviceToReferrer: 'Vraag eerst het zorgteam van de school' }));
    const { page, section, close } = await casePage(worker, id);
    expect(await page.textContent('#kop-stand ~ dl')).toContain('Afgewezen');
    const ending = await section('afsluiting');
    expect(ending).toContain('Afgewezen');
    expect(ending).toContain('De gewone routes zijn nog niet geprobeerd');
    expect(ending).toContain('Vraag eerst het zorgteam van de school');
    await close();
  }, 120_000);

  it('shows a consultation\'s advice to the referring local team', async () => {
    const id = await ctx.createCase();
    await send(id, events.START_TRIAGE());
    await send(id, events.CONSULT({ advice: 'Combineer de twee aanbieders die u al vond, met een gedeeld plan' }));
    const { section, close } = await casePage(worker, id);
    const ending = await section('afsluiting');
    expect(ending).toContain('Consultatie gegeven');
    expect(ending).toContain('Combineer de twee aanbieders die u al vond, met een gedeeld plan');
    await close();
  }, 120_000);

  it('no case page shown has an axe-core violation, and each is valid HTML (html-validate, recommended)', () => {
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
    expect(invalid, JSON.stringify(invalid, null, 1).slice(0, 4000)).toEqual([]);
  });
});

describe('errors in one round', () => {
  it('an advice whose second help item has no fit rationale names that item in the summary, linked to its field', async () => {
    const id = await ctx.createCase();
    for (const event of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG(), events.RECORD_OVERLEG()]) await send(id, event);
    const { page, close } = await casePage(coordinator, id);
    const f = '#actie-ISSUE_ADVICE';
    await page.click(`${f} > summary`);
    await page.fill(`${f} [name="summary"]`, 'Een advies op maat voor school en zorg');
    await sendAdviceForm(page, [['existing_offer', 'Past bij de wens om stap voor stap terug te gaan'], ['existing_offer', 'ok']]);
    const link = page.locator('[aria-labelledby="fouten-kop"] a[href="#veld-ISSUE_ADVICE-helpItems-1-fitRationale"]');
    expect(await link.textContent()).toContain('Hulponderdeel 2 mist een onderbouwing');
    expect(await page.getAttribute('#veld-ISSUE_ADVICE-helpItems-1-fitRationale', 'aria-invalid')).toBe('true');
    expect(await page.locator('#veld-ISSUE_ADVICE-helpItems-0-fitRationale[aria-invalid]').count()).toBe(0);
    // The link leads to the field, in the open form.
    await link.click();
    expect(await page.evaluate(() => location.hash)).toBe('#veld-ISSUE_ADVICE-helpItems-1-fitRationale');
    expect(await page.isVisible('#veld-ISSUE_ADVICE-helpItems-1-fitRationale')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await close();
  }, 120_000);

  it('an advice that breaks three rules at once lists all three in one summary: the summary text, a fit rationale, a funder', async () => {
    const id = await ctx.createCase();
    for (const event of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG(), events.RECORD_OVERLEG()]) await send(id, event);
    const { page, close } = await casePage(coordinator, id);
    const f = '#actie-ISSUE_ADVICE';
    await page.click(`${f} > summary`);
    await page.fill(`${f} [name="summary"]`, 'ok');
    await sendAdviceForm(page, [['existing_offer', 'ok'], ['custom_arrangement', 'Past bij de wens om stap voor stap terug te gaan']]);
    const links = await page.locator('[aria-labelledby="fouten-kop"] a').evaluateAll((as) => as.map((a) => ({
      href: a.getAttribute('href') ?? '', text: a.textContent ?? '',
    })));
    const hrefs = links.map((l) => l.href);
    expect(hrefs).toContain('#veld-ISSUE_ADVICE-summary');
    expect(hrefs).toContain('#veld-ISSUE_ADVICE-helpItems-0-fitRationale');
    expect(hrefs).toContain('#veld-ISSUE_ADVICE-helpItems-1-financing');
    expect(links.find((l) => l.href === '#veld-ISSUE_ADVICE-helpItems-0-fitRationale')!.text).toContain('Hulponderdeel 1 mist een onderbouwing');
    expect(links.find((l) => l.href === '#veld-ISSUE_ADVICE-helpItems-1-financing')!.text).toContain('Hulponderdeel 2 is maatwerk zonder financier');
    for (const href of hrefs) expect(await page.locator(href).count(), href).toBe(1);
    // Nothing was recorded: the case still waits for its advice.
    expect((await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).json().state).toBe('advising');
    expect(await axeViolations(page)).toEqual([]);
    await close();
  }, 120_000);

  it('an aanmelding sent empty with a school date in the future answers with a summary that links to every invalid field, the date among them', async () => {
    const { context, page } = await signedInPage(browser, base, await signInLink(ctx, worker), 15_000);
    await page.goto(`${base}/aanmelden`);
    await page.selectOption('[name="school.status"]', 'not_attending');
    // The test clock stands at 5 January 2026: March is in the future.
    await page.fill('[name="school.notAttendingSince"]', '2026-03-01');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Aanmelden' }).click()]);
    await page.waitForSelector('#fouten-kop');
    const summary = page.locator('[aria-labelledby="fouten-kop"]');
    expect(await summary.getAttribute('role')).toBe('alert');
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({
      href: a.getAttribute('href') ?? '', text: a.textContent ?? '',
    })));
    const targets = links.map((l) => l.href.slice(1));
    // Every link has its field on the page, and every field marked invalid is linked (a group
    // by itself or by a control inside it).
    const marked = await page.evaluate((linked) => {
      const orphans: string[] = [];
      for (const el of document.querySelectorAll('[aria-invalid="true"], .utrecht-form-fieldset--invalid')) {
        const inside = [...el.querySelectorAll('[id]')].map((e) => e.id);
        if (!linked.includes(el.id) && !inside.some((id) => linked.includes(id))) orphans.push(el.id || el.outerHTML.slice(0, 80));
      }
      const missing = linked.filter((id) => document.getElementById(id) === null);
      return { count: document.querySelectorAll('[aria-invalid="true"], .utrecht-form-fieldset--invalid').length, orphans, missing };
    }, targets);
    expect(marked.orphans).toEqual([]);
    expect(marked.missing).toEqual([]);
    expect(marked.count).toBeGreaterThanOrEqual(5);
    for (const field of ['subject-reference', 'subject-birthMonth', 'requestForHelp-summary', 'triedSoFar', 'school-notAttendingSince']) {
      expect(targets).toContain(`veld-${field}`);
    }
    // Each message names the field and what is wrong with it; the date in Dutch.
    const date = links.find((l) => l.href === '#veld-school-notAttendingSince')!;
    expect(date.text).toContain('Niet naar school sinds');
    expect(date.text).toContain('5 januari 2026');
    expect(await page.getAttribute('#veld-school-notAttendingSince', 'aria-invalid')).toBe('true');
    expect(links.find((l) => l.href === '#veld-problemAreas-0')?.text).toContain('Kies er ten minste één');
    const found = await axeViolations(page);
    if (found.length > 0) violations.push({ url: '/aanmelden (refused)', violations: found });
    expect(found).toEqual([]);
    await context.close();
  }, 120_000);
});
