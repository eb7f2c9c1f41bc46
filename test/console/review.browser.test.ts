/**
 * The inspector's file review completed, and the pages read easily (issue 24), in Chromium as their
 * people use them: the region's access log paged and filtered by person, case, action and refused;
 * the file review's search by reference, its CSV export and a period whose "from" lies after its
 * "to" refused in words; the printable file summary; tables whose words are not broken mid-letter
 * at 1280 and 390 px, one font family, a colour per phase and an overdue marker in words on the
 * status badges, durations in words; "procesregisseur", "thuiszitter" only for a school-age child,
 * a progress report that cannot disagree with the help items, and a reassessment during a bridged,
 * known wait that says why it is flagged; notes and the trail paged and filtered. axe-core checks
 * every page.
 */
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { User } from '../../src/auth/people.ts';
import { applied, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import { axeViolations, signedInPage, type AxeViolation } from './browser.ts';
import { person, signInLink } from './session.ts';
import { servedConsole } from './served.ts';

let ctx: TestContext;
let browser: Browser;
let base: string;
let stop: (() => Promise<void>) | undefined;
let worker: User;
let regisseur: User;
let inspector: User;
let admin: User;
let followed = '';
let toddler = '';
const violations: { url: string; violations: AxeViolation[] }[] = [];
const invalid: { url: string; errors: string[] }[] = [];
const validator = new HtmlValidate({ extends: ['html-validate:recommended'],
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'button', 'reset', 'submit', 'checkbox'] }] } });

/** The API's local team (wt-noord) reads the followed case this many times before anyone else reads as wt-noord. */
const READS = 60;

beforeAll(async () => {
  ({ ctx, base, browser, close: stop } = await servedConsole());
  worker = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  regisseur = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Petra Regie');
  inspector = await person(ctx, 'inspector', 'igj', 'R01', 'Inspecteur Iris');
  admin = await person(ctx, 'admin', 'regio-r01', 'R01', 'Bea Beheer');

  followed = await ctx.createCase(submission({ subject: { ...submission().subject, reference: 'WN-2026-0042' } }));
  for (const event of [events.START_TRIAGE({ coordinator: 'Petra Regie' }), events.ACCEPT(), events.SCHEDULE_OVERLEG(),
    events.RECORD_OVERLEG(), events.ISSUE_ADVICE({ helpItems: [helpItem(0)] })]) await send(followed, event);
  // The reporter ticks "started" while the one help item is still only advised.
  const reported = await ctx.send(ctx.localTeam, followed, events.REPORT_PROGRESS({ helpStarted: true }));
  expect(reported.statusCode, reported.body).toBe(200);
  toddler = await ctx.createCase(submission({ subject: { ...submission().subject, reference: 'KLEIN-0001', birthYear: 2022 } }));
  const other = await ctx.createCase(submission({ subject: { ...submission().subject, reference: 'ANDER-0007' } }));
  await send(other, events.START_TRIAGE());
  await send(other, events.DECLINE());

  for (let i = 0; i < READS; i++) {
    const res = await ctx.call(ctx.localTeam, { method: 'GET', url: `/api/v1/cases/${followed}` });
    expect(res.statusCode).toBe(200);
  }
  // Another wijkteam asks for the case: refused, and logged as such.
  const refused = await ctx.call(ctx.otherLocalTeam, { method: 'GET', url: `/api/v1/cases/${followed}` });
  expect(refused.statusCode).toBe(404);
}, 120_000);

afterAll(async () => { await stop?.(); });

const send = (id: string, event: unknown): Promise<void> => applied(ctx, id, event);

async function signedIn(user: User, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await signedInPage(browser, base, await signInLink(ctx, user), 15_000);
  await page.setViewportSize({ width, height: 900 });
  if (user.role === 'inspector') {
    await page.fill('#doel', 'Toezicht regionale expertteams 2026');
    await Promise.all([page.waitForURL(/dossieronderzoek/), page.getByRole('button', { name: 'Doel vastleggen' }).click()]);
  }
  return { context, page };
}

/** Opens a page, expects its status, and checks it with html-validate and axe-core. */
async function open(page: Page, path: string, status = 200): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  expect(res?.status(), path).toBe(status);
  const report = await validator.validateString(await res!.text());
  const errors = report.results.flatMap((r) => r.messages).filter((m) => m.severity === 2).map((m) => `${m.line}: ${m.ruleId} ${m.message}`);
  if (errors.length > 0) invalid.push({ url: path, errors });
  const found = await axeViolations(page);
  if (found.length > 0) violations.push({ url: path, violations: found });
}

const rows = (page: Page): Promise<string[]> => page.locator('main tbody tr').allTextContents();

describe('the region\'s access log', () => {
  it('is paged: the reads of one wijkteam, 50 on the first page and the rest behind "Oudere regels"', async () => {
    const { context, page } = await signedIn(inspector);
    await open(page, '/toegangslog?wie=wt-noord&actie=case.read');
    const first = await rows(page);
    expect(first).toHaveLength(50);
    for (const row of first) expect(row).toContain('Casus gelezen');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Oudere regels' }).click()]);
    const second = await rows(page);
    expect(second).toHaveLength(READS - 50);
    expect(await page.getByRole('link', { name: 'Oudere regels' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Terug naar de nieuwste regels' }).count()).toBe(1);
    await context.close();
  }, 120_000);

  it('filters the refused reads, by case reference and by action; the case is named by its reference', async () => {
    // A wijkteam worker who tries the region's log is refused, and that attempt is logged too.
    const tried = await signedIn(worker);
    expect((await tried.page.goto(`${base}/toegangslog`))?.status()).toBe(403);
    await tried.context.close();
    const { context, page } = await signedIn(inspector);
    await open(page, '/toegangslog');
    expect(await page.locator('nav [aria-current="page"]').textContent()).toBe('Toegangslog');
    await page.check('#geweigerd');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Filteren' }).click()]);
    const refused = await rows(page);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const row of refused) expect(row).toContain('Geweigerd');
    expect(refused.join(' ')).toContain('wt-zuid');
    expect(refused.find((r) => r.includes('Wim Wijkteam'))).toContain('Toegangslog gelezen');

    await open(page, '/toegangslog?casus=KLEIN-0001');
    const toddlerRows = await rows(page);
    // Only the inspector's own reads of lists name it so far (the file review has not run yet): none, or lists.
    for (const row of toddlerRows) expect(row).toContain('KLEIN-0001');

    await open(page, '/toegangslog?casus=WN-2026-0042&actie=case.read');
    const caseRows = await rows(page);
    expect(caseRows.length).toBe(50);
    for (const row of caseRows) expect(row).toContain('WN-2026-0042');
    expect(await page.locator('main tbody a').first().getAttribute('href')).toBe(`/casussen/${followed}`);

    // The reader in any case of its letters, combined with refused: the store filters, the page only shows.
    await open(page, '/toegangslog?wie=WIM%20wijkteam&geweigerd=ja');
    const wim = await rows(page);
    expect(wim.length).toBeGreaterThanOrEqual(1);
    for (const row of wim) expect(row).toMatch(/Wim Wijkteam.*Toegangslog gelezen.*Geweigerd/);
    await open(page, '/toegangslog?wie=wt-noord&actie=trail.read');
    expect(await rows(page)).toEqual([]);

    await open(page, '/toegangslog?casus=BESTAAT-NIET');
    expect(await page.textContent('main')).toContain('geen casus met dit kenmerk');
    expect(await rows(page)).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the file review', () => {
  it('finds a case by a part of the referrer\'s reference and exports the result as CSV', async () => {
    const { context, page } = await signedIn(inspector);
    await open(page, '/dossieronderzoek?zoek=ja&kenmerk=klein');
    const found = await rows(page);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('KLEIN-0001');
    const href = await page.getByRole('link', { name: /downloaden als CSV/ }).getAttribute('href');
    const csv = await page.request.get(`${base}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('kenmerk,status,gemeente,gemeentecode,aangemeld,over de termijn,casus-id');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('KLEIN-0001,Aangemeld,Amsterdam,GM0363,');
    expect(lines[1]).toContain(toddler);
    // Without a reference, every case of the region; a declined one says so.
    const all = await page.request.get(`${base}/dossieronderzoek?zoek=ja&formaat=csv`);
    const allLines = (await all.text()).trimEnd().split('\r\n');
    expect(allLines).toHaveLength(4);
    expect(allLines.find((l) => l.startsWith('ANDER-0007'))).toContain('Afgewezen');
    await context.close();
  }, 120_000);

  it('refuses a period whose "from" lies after its "to" with a 400 and a summary linked to the field, not "0 dossiers"', async () => {
    const { context, page } = await signedIn(inspector);
    await open(page, '/dossieronderzoek?zoek=ja&van=2026-02-01&tot=2026-01-01', 400);
    const summary = page.locator('[aria-labelledby="fouten-kop"]');
    expect(await summary.getAttribute('role')).toBe('alert');
    const link = summary.locator('a[href="#tot"]');
    expect(await link.textContent()).toContain('1 januari 2026');
    expect(await link.textContent()).toContain('1 februari 2026');
    expect(await page.getAttribute('#tot', 'aria-invalid')).toBe('true');
    expect(await page.textContent('main')).not.toContain('dossiers gevonden');
    expect(await page.locator('main table').count()).toBe(0);
    const csv = await page.request.get(`${base}/dossieronderzoek?zoek=ja&van=2026-02-01&tot=2026-01-01&formaat=csv`);
    expect(csv.status()).toBe(400);
    await context.close();
  }, 120_000);
});

describe('the printable file summary', () => {
  it('gives the referring wijkteam the whole file on one page, and in print leaves out navigation and forms', async () => {
    const { context, page } = await signedIn(worker);
    await open(page, `/casussen/${followed}`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Dossieroverzicht om af te drukken' }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/casussen/${followed}/afdruk`);
    await open(page, `/casussen/${followed}/afdruk`);
    expect(await page.textContent('h1')).toBe('Dossieroverzicht casus WN-2026-0042');
    for (const id of ['stand', 'aanmelding', 'toestemming', 'triage', 'overleg', 'advies', 'voortgang']) {
      expect(await page.locator(`section[aria-labelledby="kop-${id}"]`).count(), id).toBe(1);
    }
    expect(await page.locator('main form, main details').count()).toBe(0);
    expect(await page.textContent('main')).toContain('Overzicht gemaakt op');
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('nav.console-nav')).toBe(false);
    expect(await page.isVisible('.console-noprint')).toBe(false);
    expect(await page.isVisible('#kop-advies')).toBe(true);
    await context.close();
  }, 120_000);
});

/**
 * Words in table cells that the browser broke over two lines mid-letter (a word's box on more than
 * one line). A break after a hyphen the text has ("wt-" / "zuid") is a break between words.
 */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll('main td, main th, main caption')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s-]+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push(match[0]);
        }
      }
    }
    return broken;
  });
}

/**
 * The font families of every element that shows text, the statechart's too, each with the first
 * element in it. A command to type (`code`, on Beheer) is set in monospace on purpose and left out.
 */
function fontFamilies(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const seen: Record<string, string> = {};
    for (const el of document.querySelectorAll('body *')) {
      const shows = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '')
        || (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(el.tagName) && el.getAttribute('type') !== 'hidden');
      const family = getComputedStyle(el).fontFamily;
      if (shows && el.tagName !== 'CODE' && !(family in seen)) seen[family] = `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`;
    }
    return seen;
  });
}

/**
 * White bars beside tables: a table narrower than its container (the gap in px), and the covers of
 * the container's scroll shadows in another colour than the page's (the colours found).
 */
function tableEdges(page: Page): Promise<{ gaps: number[]; covers: string[] }> {
  return page.evaluate(() => {
    /** The colour behind an element: the first ancestor's that is not transparent. */
    const behind = (el: Element): string => {
      for (let e = el.parentElement; e; e = e.parentElement) {
        const colour = getComputedStyle(e).backgroundColor;
        if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
      }
      return 'rgb(255, 255, 255)';
    };
    const containers = [...document.querySelectorAll('main .utrecht-table-container')];
    return {
      gaps: containers.map((c) => Math.max(0, Math.round(c.clientWidth - c.querySelector('table')!.getBoundingClientRect().width))).filter((g) => g > 1),
      covers: containers.flatMap((c) => {
        const cover = /^linear-gradient\(to right, (rgba?\([^)]*\))/.exec(getComputedStyle(c).backgroundImage)?.[1];
        return cover === undefined || cover === behind(c) ? [] : [`${cover} on ${behind(c)}`];
      }),
    };
  });
}

describe('what people read easily', () => {
  it('no word broken mid-letter in a table, no white bar beside one, one font family and one column width, at 1280 and 390 px', async () => {
    const widths = new Map<number, Set<number>>();
    for (const width of [1280, 390]) {
      widths.set(width, new Set());
      for (const [user, paths] of [
        [regisseur, ['/casussen', `/casussen/${followed}`]],
        [inspector, ['/dossieronderzoek?zoek=ja', '/toegangslog', `/casussen/${followed}/toegang`]],
        [admin, ['/beheer']],
      ] as const) {
        const { context, page } = await signedIn(user as User, width);
        for (const path of paths) {
          await open(page, path);
          expect(await page.locator('main table').count(), path).toBeGreaterThan(0);
          expect(await brokenWords(page), `${width} ${path}`).toEqual([]);
          expect(await tableEdges(page), `${width} ${path}`).toEqual({ gaps: [], covers: [] });
          const families = await fontFamilies(page);
          expect(Object.keys(families), `${width} ${path}: ${JSON.stringify(families)}`).toHaveLength(1);
          widths.get(width)!.add(Math.round(await page.locator('main').evaluate((m) => m.getBoundingClientRect().width)));
        }
        await context.close();
      }
    }
    for (const [width, set] of widths) expect([...set], `main's width at ${width}`).toHaveLength(1);
  }, 300_000);

  it('a badge per phase in its own colour, and an overdue case marked "Over de termijn" in words', async () => {
    const { context, page } = await signedIn(regisseur);
    await open(page, '/casussen?afgesloten=ja');
    const colour = (text: string) => page.locator('main tbody .console-badge', { hasText: text }).first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    const colours = [await colour('Aangemeld'), await colour('Monitoren'), await colour('Afgewezen')];
    expect(new Set(colours).size).toBe(3);
    expect(await page.locator('main .console-badge--overdue').count()).toBe(0);
    await context.close();
    // Half a year later every open case with a deadline is past it (and the session has ended: a new one).
    ctx.clock.advance(183 * 86_400_000);
    const later = await signedIn(regisseur);
    const page2 = later.page;
    await open(page2, '/casussen');
    const marked = page2.locator('main tbody tr', { hasText: 'WN-2026-0042' }).locator('.console-badge--overdue');
    expect(await marked.textContent()).toBe('Over de termijn');
    await open(page2, `/casussen/${followed}`);
    expect(await page2.locator('#kop-stand ~ dl .console-badge--overdue').textContent()).toBe('Over de termijn');
    await later.context.close();
  }, 120_000);

  it('the region\'s settings say their durations in words, and no page says "Versie"', async () => {
    const { context, page } = await signedIn(admin);
    await open(page, '/beheer');
    const values = await page.locator('#kop-instellingen ~ dl dd').allTextContents();
    for (const value of values) expect(value).not.toMatch(/^P\d|^PT\d/);
    expect(values.join(' ')).toMatch(/\d+ (dagen|dag|weken|week|maanden|maand|jaar)/);
    await context.close();
    const expert = await signedIn(regisseur);
    await open(expert.page, `/casussen/${followed}`);
    expect(await expert.page.textContent('main')).not.toMatch(/versie/i);
    await expert.context.close();
  }, 120_000);
});

describe('long lists, paged and filterable', () => {
  let noted = '';
  const NOTES = 45;

  beforeAll(async () => {
    noted = await ctx.createCase(submission({ subject: { ...submission().subject, reference: 'NOTES-0045' } }));
    for (let i = 1; i <= NOTES; i++) {
      const res = await ctx.send(ctx.localTeam, noted, events.ADD_NOTE({ text: `Gesprek nummer ${i} met de school` }));
      expect(res.statusCode, res.body).toBe(200);
    }
  }, 120_000);

  it('the local team pages through all its notes and finds one by a word; every reader sees who wrote each', async () => {
    const { context, page } = await signedIn(worker);
    await open(page, `/casussen/${noted}`);
    // The case page's latest notes name their author for the local team too, which reads no trail.
    const latest = page.locator('section[aria-labelledby="kop-voortgang"]');
    expect(await latest.locator('thead th').allTextContents()).toEqual(['Wanneer', 'Wat', 'Door', 'Tekst']);
    const latestRows = await latest.locator('tbody tr').allTextContents();
    expect(latestRows).toHaveLength(20);
    for (const row of latestRows) expect(row).toContain('local_team wt-noord (wt-noord)');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: `Alle ${NOTES} notities, te doorzoeken` }).click()]);
    await open(page, `/casussen/${noted}/notities`);
    const first = await rows(page);
    expect(first).toHaveLength(20);
    expect(first[0]).toContain(`Gesprek nummer ${NOTES} met`);
    expect(await page.textContent('nav.console-pager')).toContain('Pagina 1 van 3');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Oudere notities' }).click()]);
    const second = await rows(page);
    expect(second).toHaveLength(20);
    expect(second[0]).toContain(`Gesprek nummer ${NOTES - 20} met`);
    await open(page, `/casussen/${noted}/notities?pagina=3`);
    expect(await rows(page)).toHaveLength(NOTES - 40);
    await page.fill('#zoek', 'nummer 7 ');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Zoeken' }).click()]);
    const found = await rows(page);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('Gesprek nummer 7 met de school');
    // The local team reads no trail, and still sees who wrote each note: the store gives the author with the note.
    expect(await page.locator('main thead th').allTextContents()).toEqual(['Wanneer', 'Door', 'Notitie']);
    expect(found[0]).toContain('local_team wt-noord (wt-noord)');
    await open(page, `/casussen/${noted}/notities`);
    for (const row of await rows(page)) expect(row).toContain('local_team wt-noord (wt-noord)');
    await context.close();

    const expert = await signedIn(regisseur);
    await open(expert.page, `/casussen/${noted}/notities`);
    expect(await expert.page.locator('main thead th').allTextContents()).toEqual(['Wanneer', 'Door', 'Notitie']);
    for (const row of await rows(expert.page)) expect(row).toContain('local_team wt-noord (wt-noord)');
    await expert.context.close();
  }, 120_000);

  it('the trail pages 25 entries at a time and filters by what happened and by who', async () => {
    const { context, page } = await signedIn(regisseur);
    await open(page, `/casussen/${noted}/verloop`);
    expect(await page.locator('main .console-entry').count()).toBe(25);
    expect(await page.textContent('nav.console-pager')).toContain('Pagina 1 van 2');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Oudere vastleggingen' }).click()]);
    // 45 notes and the submission.
    expect(await page.locator('main .console-entry').count()).toBe(NOTES + 1 - 25);
    await open(page, `/casussen/${noted}/verloop?soort=SUBMIT`);
    expect(await page.locator('main .console-entry').count()).toBe(1);
    expect(await page.textContent('main .console-entry h2')).toBe('Aanmelding');
    await open(page, `/casussen/${noted}/verloop?soort=ADD_NOTE&wie=niemand`);
    expect(await page.locator('main .console-entry').count()).toBe(0);
    expect(await page.textContent('main')).toContain('Geen vastleggingen die hierbij passen');
    await context.close();
  }, 120_000);
});

describe('smaller things', () => {
  it('says procesregisseur, not coördinator; thuiszitter only for a school-age child; the help started as the help items say', async () => {
    const { context, page } = await signedIn(regisseur);
    await open(page, `/casussen/${toddler}`);
    expect(await page.locator('label[for="veld-START_TRIAGE-regisseur"]').textContent()).toContain('Procesregisseur');
    expect((await page.textContent('main'))!.toLowerCase()).not.toContain('coördinator');
    const young = await page.textContent('section[aria-labelledby="kop-aanmelding"]');
    expect(young).toContain('Gaat niet naar school');
    expect(young).not.toContain('Thuiszitter');
    await open(page, `/casussen/${followed}`);
    expect(await page.textContent('section[aria-labelledby="kop-aanmelding"]')).toContain('Thuiszitter');
    expect(await page.textContent('section[aria-labelledby="kop-triage"] dl')).toContain('Petra Regie');
    const progress = await page.textContent('section[aria-labelledby="kop-voortgang"]');
    expect(progress).toContain('0 van de 1 hulponderdelen');
    expect(progress).toContain('Gemeld was: de hulp is gestart');
    await context.close();
  }, 120_000);

  it('a reassessment due while a known wait is bridged says why; one without a known wait does not', async () => {
    const bridged = await ctx.createCase(submission({ subject: { ...submission().subject, reference: 'BRUG-0026' } }));
    for (const event of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG(), events.RECORD_OVERLEG(),
      events.ISSUE_ADVICE({ helpItems: [helpItem(26)] }), events.SET_BRIDGING_PLAN()]) await send(bridged, event);
    // Past the three months of the reassessment, well within the 26 weeks of the known wait.
    ctx.clock.advance(100 * 86_400_000);
    const { context, page } = await signedIn(regisseur);
    await open(page, `/casussen/${bridged}`);
    const warning = await page.locator('main .utrecht-alert--warning').first().textContent();
    expect(warning).toContain('Herbeoordeling');
    expect(warning).toContain('maar dat was bekend: de wachttijd is 26 weken');
    expect(warning).toContain('Beoordeel of het overbruggingsplan nog volstaat');
    await open(page, `/casussen/${followed}`);
    const plain = await page.locator('main .utrecht-alert--warning').first().textContent();
    expect(plain).toContain('Herbeoordeling');
    expect(plain).not.toContain('dat was bekend');
    await context.close();
  }, 120_000);

  it('a consent change shows with its date, what it set, how it came in and why, and to the expert team who recorded it', async () => {
    const changed = await ctx.send(ctx.localTeam, toddler, events.UPDATE_CONSENT({
      youth: undefined, parents: 'refused', source: 'by_phone', reason: 'Ouders willen eerst zelf met school praten',
    }));
    expect(changed.statusCode, changed.body).toBe(200);
    const table = (page: Page) => page.locator('section[aria-labelledby="kop-toestemming"] table');
    const local = await signedIn(worker);
    await open(local.page, `/casussen/${toddler}`);
    expect(await table(local.page).locator('thead th').allTextContents()).toEqual(['Wanneer', 'Jongere', 'Ouders (of voogd)', 'Grondslag', 'Hoe', 'Reden']);
    const row = await table(local.page).locator('tbody tr').first().textContent();
    expect(row).toContain('ongewijzigd');
    expect(row).toContain('Telefonisch');
    expect(row).toContain('Ouders willen eerst zelf met school praten');
    expect(row).toContain('Geweigerd');
    expect(row).toMatch(/\d{4} om \d{2}:\d{2}/);
    await local.context.close();
    const expert = await signedIn(regisseur);
    await open(expert.page, `/casussen/${toddler}`);
    expect(await table(expert.page).locator('tbody tr').first().textContent()).toContain('local_team wt-noord');
    await expert.context.close();
  }, 120_000);

  it('no page shown has an axe-core violation, and each is valid HTML (html-validate, recommended)', () => {
    expect(violations, JSON.stringify(violations, null, 1).slice(0, 4000)).toEqual([]);
    expect(invalid, JSON.stringify(invalid, null, 1).slice(0, 4000)).toEqual([]);
  });
});
