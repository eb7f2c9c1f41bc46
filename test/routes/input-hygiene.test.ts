/**
 * The lows of the outside attack (issue 29), as it sent them: a reference with a bidi override,
 * one with an ESC character, a body with invalid UTF-8 (JSON and form); `CONNECT` over a real
 * socket; `/docs` and the console's 404 page and their cache headers. Each bad request gets a 4xx
 * that names what is wrong and changes nothing.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, eventsUrl, expectProblem, rawHttp } from '../support/http.ts';
import { person, signIn } from '../console/session.ts';

let ctx: TestContext;
let port: number;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  port = (ctx.app.server.address() as AddressInfo).port;
});
afterAll(() => ctx.close());

const withReference = (reference: string) => submission({ subject: { ...submission().subject, reference } });
const invalidNames = (res: { json(): unknown }) =>
  ((res.json() as { invalidParams?: { name: string }[] }).invalidParams ?? []).map((p) => p.name);

describe('text that is not plain text', () => {
  it('refuses a reference with a bidi override, an isolate, an ESC, a C1 control or a tab inside, naming the field', async () => {
    const before = await ctx.fingerprint();
    for (const reference of ['WN-\u202E2400-NW', 'WN-2026\u2066-0042', 'WN-2026\u001b[31m-0042', 'WN-2026\u0085-0042',
      'WN-2026\t0042', 'WN-2026\n0042', 'WN-\u200F2026']) {
      const res = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: withReference(reference) });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(invalidNames(res), JSON.stringify(reference)).toEqual(['subject.reference']);
      expect(res.body).not.toContain('WN-');
    }
    expect(await ctx.fingerprint()).toBe(before);
  });

  it('refuses control characters and overrides in long texts too, but keeps their tabs and line breaks', async () => {
    const id = await ctx.createCase();
    const before = await ctx.fingerprint();
    for (const text of ['Belde om \u202Ehalf tien\u202C terug', 'Moeder belde\u0007 twee keer', 'DEL\u007F in een notitie']) {
      const res = await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text }));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(invalidNames(res)).toEqual(['text']);
    }
    expect(await ctx.fingerprint()).toBe(before);
    const kept = await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Eerste regel\r\nTweede\tregel' }));
    expect(kept.statusCode, kept.body).toBe(200);
  });

  it('refuses an X-Purpose with a C1 control character', async () => {
    const id = await ctx.createCase();
    const res = await ctx.call(ctx.inspector, { method: 'GET', url: `${API}/cases/${id}`, headers: { 'x-purpose': 'Onderzoek\u0085 2026' } });
    expectProblem(res, 400, 'PURPOSE_REQUIRED');
  });

  it('refuses a name with a bidi override in Beheer, and adds nobody', async () => {
    const admin = await signIn(ctx, await person(ctx, 'admin', 'beheer-r01'));
    const res = await admin.post('/beheer/mensen', {
      name: 'Jan \u202Erednaj', email: 'jan@example.nl', role: 'expert_team', organisation: 'ret-r01',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Gebruik gewone tekens');
    expect(await ctx.sql('SELECT id FROM users WHERE email = ?', 'jan@example.nl')).toEqual([]);
  });
});

describe('bodies that are not UTF-8', () => {
  const bad = (text: string) => Buffer.concat([Buffer.from(text.slice(0, text.length / 2)), Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from(text.slice(text.length / 2))]);

  it('refuses a JSON body with invalid UTF-8 with 400, changing nothing', async () => {
    const id = await ctx.createCase();
    const before = await ctx.fingerprint();
    for (const [url, body] of [[`${API}/cases`, JSON.stringify(withReference('WN-UTF8-1'))],
      [eventsUrl(id), JSON.stringify(events.ADD_NOTE({ text: 'Een notitie met ongeldige bytes erin' }))]] as const) {
      const res = await ctx.call(url.endsWith('/cases') ? ctx.localTeam : ctx.expertTeam, {
        method: 'POST', url, payload: bad(body), headers: { 'content-type': 'application/json' },
      });
      const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.detail).toMatch(/UTF-8/);
    }
    expect(await ctx.fingerprint()).toBe(before);
  });

  it('refuses a form with invalid UTF-8, raw or percent-escaped, with 400, changing nothing', async () => {
    const worker = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await worker.get('/aanmelden')).body)![1]!;
    const before = await ctx.fingerprint();
    for (const payload of [bad(`_csrf=${csrf}&subject.reference=WN-FORM-UTF8`), Buffer.from(`_csrf=${csrf}&subject.reference=WN%C3%28%FF`)]) {
      const res = await ctx.app.inject({
        method: 'POST', url: '/aanmelden', payload,
        headers: { cookie: worker.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(await ctx.fingerprint()).toBe(before);
  });
});

const raw = (request: string) => rawHttp(port, request);

describe('odd methods and cache headers', () => {
  it('answers CONNECT with a 400 problem instead of closing the connection', async () => {
    for (const target of ['127.0.0.1:443', 'evil.example:80']) {
      const answer = await raw(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
      expect(answer.status).toBe(400);
      expect(answer.headers).toContain('content-type: application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('answers other methods it does not serve with a 4xx problem', async () => {
    for (const method of ['PROPFIND', 'TRACE', 'SEARCH', 'MKCOL', 'PURGE']) {
      const answer = await raw(`${method} /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(answer.status, method).toBeGreaterThanOrEqual(400);
      expect(answer.status, method).toBeLessThan(500);
      expect(answer.headers, method).toContain('content-type: application/problem+json');
    }
  });

  it('says no-store on /docs and on the console\'s 404 page and error pages', async () => {
    for (const url of ['/docs', '/docs/', '/docs/json']) {
      expect((await ctx.app.inject({ url })).headers['cache-control'], url).toBe('no-store');
    }
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const missing = await ctx.app.inject({ url: '/bestaat-niet', headers: html });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.headers['cache-control']).toBe('no-store');
    for (const url of ['/assets/bestaat-niet.css', '/inloggen?code=fout']) {
      const res = await ctx.app.inject({ url, headers: html });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });
});
