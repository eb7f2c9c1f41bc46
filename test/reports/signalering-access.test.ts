/** GET /reports/signalering: who may ask for it, and the 4xx answers (problem+json). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../src/config.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';

const URL = '/api/v1/reports/signalering';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.createCase();
});
afterAll(() => ctx.close());

const get = (caller: Caller | null, url = URL, headers: Record<string, string> = {}) =>
  ctx.call(caller, { method: 'GET', url, headers });

async function problem(res: Awaited<ReturnType<typeof get>>, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status, code, type: `urn:passend:problem:${code}`, instance: URL });
  return res.json();
}

describe('GET /reports/signalering access', () => {
  it('answers 401 without a valid token', async () => {
    await problem(await get(null), 401, 'UNAUTHENTICATED');
  });

  it('answers 403 to a local team and to an admin', async () => {
    await problem(await get(ctx.localTeam), 403, 'FORBIDDEN');
    await problem(await get(ctx.admin), 403, 'FORBIDDEN');
  });

  it('answers 400 PURPOSE_REQUIRED to an inspector who states no purpose', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: URL, headers: { authorization: `Bearer ${ctx.inspector.token}` } });
    await problem(res, 400, 'PURPOSE_REQUIRED');
  });

  it('answers 403 to an expert team or regional inspector that names another region', async () => {
    await problem(await get(ctx.expertTeam, `${URL}?region=R02`), 403, 'FORBIDDEN');
    await problem(await get(ctx.inspector, `${URL}?region=*`), 403, 'FORBIDDEN');
    expect((await get(ctx.expertTeam, `${URL}?region=R01`)).statusCode).toBe(200);
  });

  it('answers 403 before 400: a forbidden caller learns nothing about its query', async () => {
    await problem(await get(ctx.localTeam, `${URL}?from=nonsense`), 403, 'FORBIDDEN');
  });
});

describe('GET /reports/signalering validation', () => {
  it.each([
    ['from=2026-02-30', 'from'], ['to=2026-13-01', 'to'], ['from=yesterday', 'from'],
    ['from=2026-1-1', 'from'], ['to=3000-01-01', 'to'], ['region=', 'region'],
  ])('answers 400 VALIDATION_FAILED to %s', async (query, name) => {
    const body = await problem(await get(ctx.nationalInspector, `${URL}?${query}`), 400, 'VALIDATION_FAILED');
    expect(body.invalidParams.map((p: { name: string }) => p.name)).toContain(name);
  });

  it('answers 400 when the period starts after it ends', async () => {
    const body = await problem(await get(ctx.expertTeam, `${URL}?from=2026-03-01&to=2026-02-28`), 400, 'VALIDATION_FAILED');
    expect(body.invalidParams).toEqual([{ name: 'from', reason: 'must be on or before to' }]);
  });

  it('accepts a period of a single month', async () => {
    expect((await get(ctx.expertTeam, `${URL}?from=2026-01-01&to=2026-01-31`)).json().submitted.total).toBe(1);
  });
});

describe('GET /reports/signalering content negotiation', () => {
  it.each([
    [undefined, 'application/json'],
    ['*/*', 'application/json'],
    ['application/json', 'application/json'],
    ['text/csv', 'text/csv'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html'],
    ['text/csv;q=0.5, text/html', 'text/html'],
    ['text/*', 'text/csv'],
    ['application/xml, text/csv;q=0.1', 'text/csv'],
  ])('answers Accept %s with %s', async (accept, type) => {
    const res = await get(ctx.expertTeam, URL, accept === undefined ? {} : { accept });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(type);
    expect(res.headers.vary).toBe('Accept');
    expect(res.headers['api-version']).toBe(API_VERSION);
  });

  it.each(['application/xml', 'image/png', 'text/csv;q=0', 'application/problem+json'])(
    'answers 406 NOT_ACCEPTABLE to Accept %s', async (accept) => {
      await problem(await get(ctx.expertTeam, URL, { accept }), 406, 'NOT_ACCEPTABLE');
    });
});
