/**
 * The console as a browser receives it, without a browser: every page each role reaches by links
 * from its start page, with realistic amounts of data (the 25 cases of the signalering tests,
 * four people), plus the pages only a form leads to (a refused submission, Beheer after adding someone),
 * is HTML that html-validate's recommended rules accept (checkbox groups may share a name), and
 * so is the printable signalering report. The icon answers at /favicon.ico, and the style sheets
 * come compressed, at URLs with their content hash, cached for a year.
 */
import { gunzipSync } from 'node:zlib';
import { HtmlValidate, type Message } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { buildSignaleringData } from '../reports/signalering-data.ts';
import { person, signIn, signInLink, type Browser } from './session.ts';
import type { User } from '../../src/store/rows.ts';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // A group of checkboxes (the problem areas, the filters) shares one name, as the form posts it.
    'form-dup-name': ['error', { shared: ['radio', 'button', 'reset', 'submit', 'checkbox'] }],
  },
});

/** html-validate's errors in a page, one line each: where and what. */
async function errorsIn(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages)
    .filter((m: Message) => m.severity === 2)
    .map((m: Message) => `${m.line}:${m.column} ${m.ruleId}: ${m.message} (${m.selector ?? ''})`);
}

let ctx: TestContext;
const people: Record<string, User> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  await buildSignaleringData(ctx);
  people.admin = await person(ctx, 'admin', 'beheer-r01', 'R01', 'Bea Beheer');
  people.expert = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Carla Coördinator');
  people.local = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Wim Wijkteam');
  people.inspector = await person(ctx, 'inspector', 'igj', '*', 'Ine Inspecteur');
}, 120_000);
afterAll(() => ctx?.close());

/** Every page reachable by links from the start page (at most `limit`), with its errors. */
async function crawl(browser: Browser, start: string, limit = 60): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const queue = [start];
  while (queue.length > 0 && found.size < limit) {
    const path = queue.shift()!;
    if (found.has(path)) continue;
    const res = await browser.get(path);
    expect(res.statusCode, path).toBe(200);
    found.set(path, await errorsIn(res.body));
    for (const [, href] of res.body.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)) {
      const url = href!.replace(/&amp;/g, '&');
      // `/` only sends a signed-in person on to their start page.
      if (url !== '/' && !url.startsWith('/inloggen') && !url.startsWith('/assets/') && !found.has(url)) queue.push(url);
    }
  }
  return found;
}

const failing = (pages: Map<string, string[]>) => [...pages].filter(([, errors]) => errors.length > 0);

describe('the console\'s pages, checked by html-validate (recommended)', () => {
  it.each([
    // With the closed cases (the werkvoorraad leaves them out unless asked, §6.3), so that their pages are crawled too.
    ['expert', '/casussen?afgesloten=ja', 40], ['local', '/casussen', 3], ['admin', '/beheer', 1],
  ])('every page the %s role reaches from %s is valid', async (who, start, atLeast) => {
    const pages = await crawl(await signIn(ctx, people[who as string]!), start as string);
    expect(pages.size, 'pages visited').toBeGreaterThanOrEqual(atLeast as number);
    expect(failing(pages)).toEqual([]);
  }, 120_000);

  it('the inspector\'s pages, after stating the purpose, are valid', async () => {
    const inspector = await signIn(ctx, people.inspector!);
    expect(await errorsIn((await inspector.get('/doel')).body)).toEqual([]);
    expect((await inspector.post('/doel', { doel: 'Onderzoek 2026-17' })).statusCode).toBe(303);
    const pages = await crawl(inspector, '/dossieronderzoek?van=2026-01-01');
    expect([...pages.keys()]).toEqual(expect.arrayContaining(['/audit', '/signalering', '/toegangslog']));
    expect(failing(pages)).toEqual([]);
    // The audit check's result, reached by a form (GET), not a link.
    const checkedLog = await inspector.get('/audit?controleer=ja');
    expect(checkedLog.body).toContain('Het logboek klopt');
    expect(await errorsIn(checkedLog.body)).toEqual([]);
  }, 120_000);

  it('the sign-in pages, an error page, a refused referral form and Beheer after adding a person are valid', async () => {
    expect(await errorsIn((await ctx.app.inject({ url: '/' })).body)).toEqual([]);
    const code = await signInLink(ctx, people.expert!);
    const landing = await ctx.app.inject({ url: `/inloggen?code=${code}` });
    expect(landing.statusCode).toBe(200);
    expect(await errorsIn(landing.body)).toEqual([]);
    const missing = await ctx.app.inject({ url: '/bestaat-niet', headers: { accept: 'text/html' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(await errorsIn(missing.body)).toEqual([]);
    const local = await signIn(ctx, people.local!);
    const refused = await local.post('/aanmelden', { 'subject.reference': 'X' });
    expect(refused.statusCode).toBe(400);
    expect(await errorsIn(refused.body)).toEqual([]);
    const admin = await signIn(ctx, people.admin!);
    const added = await admin.post('/beheer/mensen', {
      name: 'Nieuwe Collega', email: 'nieuw@example.nl', role: 'expert_team', organisation: 'ret-r01',
    });
    const page = added.statusCode === 303 ? await admin.get(String(added.headers.location)) : added;
    // An admin never sees the link (issue 29): the page says who makes it.
    expect(page.body).toContain('npm run cli -- user sign-in-link');
    expect(await errorsIn(page.body)).toEqual([]);
  });

  it('Beheer\'s people table has a header over every column, with four people in it', async () => {
    const admin = await signIn(ctx, people.admin!);
    const body = (await admin.get('/beheer')).body;
    const table = body.slice(body.indexOf('Mensen van de regio'));
    expect(table.match(/<tr class="utrecht-table__row"><td/g)?.length).toBeGreaterThanOrEqual(4);
    expect(table.slice(0, table.indexOf('</thead>'))).not.toMatch(/scope="col"><\/th>/);
  });
});

describe('the printable signalering report', () => {
  it('is valid HTML, the suppressed mark escaped in its explanation too (the figures for publication)', async () => {
    const res = await ctx.call(ctx.expertTeam, {
      method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-06-30&publication=true', headers: { accept: 'text/html' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<p class="note">&lt;5: minder dan 5');
    expect(await errorsIn(res.body)).toEqual([]);
  });

  it('and so is the printable trail of a case that went the whole way', async () => {
    const closed = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/cases?state=closed&limit=50' });
    const ids = (closed.json() as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids.slice(0, 6)) {
      const trail = await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}/trail`, headers: { accept: 'text/html' } });
      expect(trail.statusCode).toBe(200);
      expect(await errorsIn(trail.body), id).toEqual([]);
    }
  });

  it('in the console, it is valid HTML too', async () => {
    const expert = await signIn(ctx, people.expert!);
    const res = await expert.get('/signalering?van=2026-01&tot=2026-06');
    expect(res.statusCode).toBe(200);
    // The region's own expert team sees exact figures (§6.2): nothing withheld, and the page says so.
    expect(res.body).toContain('Exacte aantallen: niets is weggelaten.');
    expect(res.body).not.toContain('&lt;5');
    expect(await errorsIn(res.body)).toEqual([]);
  });
});

describe('what a browser fetches besides the page', () => {
  it('/favicon.ico answers 200 with an icon, and every page links an icon', async () => {
    const res = await ctx.app.inject({ url: '/favicon.ico' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    // An ICO header: reserved 0, type 1 (icon), one image.
    expect([...res.rawPayload.subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
    const home = (await ctx.app.inject({ url: '/' })).body;
    const icon = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/.exec(home)?.[1];
    expect(icon).toBeDefined();
    const svg = await ctx.app.inject({ url: icon! });
    expect(svg.statusCode).toBe(200);
    expect(svg.body).toMatch(/^<svg /);
  });

  it('a style sheet comes gzip-compressed when the browser asks, and decompresses to what was sent plain', async () => {
    const home = (await ctx.app.inject({ url: '/' })).body;
    const sheets = [...home.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]!);
    expect(sheets).toHaveLength(3);
    for (const href of sheets) {
      const plain = await ctx.app.inject({ url: href });
      const zipped = await ctx.app.inject({ url: href, headers: { 'accept-encoding': 'gzip' } });
      expect(plain.headers['content-encoding'], href).toBeUndefined();
      expect(zipped.headers['content-encoding'], href).toBe('gzip');
      expect(zipped.headers.vary).toMatch(/accept-encoding/i);
      expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
    }
    const utrecht = sheets.find((s) => s.includes('utrecht.'))!;
    const zipped = await ctx.app.inject({ url: utrecht, headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.rawPayload.length).toBeLessThan((await ctx.app.inject({ url: utrecht })).rawPayload.length / 5);
  });

  it('pages are not compressed: they carry the CSRF token beside what the visitor typed (BREACH)', async () => {
    const expert = await signIn(ctx, people.expert!);
    const res = await ctx.app.inject({ url: '/casussen', headers: { cookie: expert.cookie, 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('asset URLs carry a hash of their content and are cached for a year; a changed file would get a new URL', async () => {
    const home = (await ctx.app.inject({ url: '/' })).body;
    const hrefs = [...home.matchAll(/href="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBe(4);
    const { createHash } = await import('node:crypto');
    for (const href of hrefs) {
      const hash = /\.([0-9a-f]{12})\.(css|svg)$/.exec(href)?.[1];
      expect(hash, href).toBeDefined();
      const res = await ctx.app.inject({ url: href });
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(createHash('sha256').update(res.rawPayload).digest('hex').slice(0, 12)).toBe(hash);
    }
    // The plain name still answers (pages rendered before a deploy), for an hour only.
    const plain = await ctx.app.inject({ url: '/assets/console.css' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
    expect((await ctx.app.inject({ url: '/assets/console.000000000000.css' })).statusCode).toBe(404);
  });
});
