/**
 * The inspector's purpose and region (DESIGN §3, issue 4): without X-Purpose an inspector gets
 * 400 PURPOSE_REQUIRED and the attempt is in the access log (purpose.missing, refused); an
 * inspector of another region gets 404 on the case, its trail and its export.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { API, caseUrl, expectProblem, trailUrl } from '../support/http.ts';
import { PURPOSE } from './support.ts';

let ctx: TestContext;
let caseId: string;
/** The regional inspector of R01 without its purpose header. */
let bare: Caller;

interface LoggedAccess {
  at: string;
  requestId: string;
  action: string;
  actor: { role: string; organisation: string; name: string; clientId: string; region: string };
  purpose: string | null;
  caseIds: string[];
  outcome: string;
}

beforeAll(async () => {
  ctx = await createTestContext();
  caseId = await ctx.caseIn('triage');
  bare = { ...ctx.inspector, headers: {} };
});
afterAll(async () => { await ctx.close(); });

async function lineOf(res: LightMyRequestResponse): Promise<LoggedAccess | undefined> {
  const page = await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/access-log?limit=500` });
  expect(page.statusCode).toBe(200);
  return (page.json().items as LoggedAccess[]).find((i) => i.requestId === res.headers['x-request-id']);
}

describe('an inspector without X-Purpose', () => {
  const routes: [string, () => string][] = [
    ['GET /cases', () => `${API}/cases`],
    ['GET /cases/{id}', () => caseUrl(caseId)],
    ['GET /cases/{id}/trail', () => trailUrl(caseId)],
    ['GET /cases/{id}/trail/export', () => `${trailUrl(caseId)}/export`],
    ['GET /access-log', () => `${API}/access-log`],
    ['GET /audit/verify', () => `${API}/audit/verify`],
    ['GET /machines/referral', () => `${API}/machines/referral`],
  ];

  it.each(routes)('%s: 400 PURPOSE_REQUIRED, and the attempt is in the access log', async (_name, url) => {
    ctx.clock.advance(60_000);
    const at = ctx.clock.now().toISOString();
    const target = url();
    const res = await ctx.call(bare, { method: 'GET', url: target });
    expectProblem(res, 400, 'PURPOSE_REQUIRED');
    const line = await lineOf(res);
    const actor = await ctx.actorOf(ctx.inspector);
    expect(line).toEqual({
      seq: expect.any(Number), at, requestId: res.headers['x-request-id'],
      action: 'purpose.missing', route: expect.stringMatching(/^GET \/api\/v1\//),
      actor: { role: 'inspector', organisation: actor.organisation, name: actor.name, clientId: actor.clientId, region: 'R01' },
      // The case the inspector tried to open, if the path names one.
      purpose: null, caseIds: target.includes(caseId) ? [caseId] : [], outcome: 'refused',
    });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['201 characters', 'x'.repeat(201)],
  ])('a purpose that is %s is refused and logged as missing', async (_name, purpose) => {
    const res = await ctx.call(bare, { method: 'GET', url: caseUrl(caseId), headers: { 'x-purpose': purpose } });
    expectProblem(res, 400, 'PURPOSE_REQUIRED');
    expect(await lineOf(res)).toMatchObject({ action: 'purpose.missing', outcome: 'refused', purpose: null });
  });

  it('a purpose of 200 characters is accepted and logged as given (trimmed)', async () => {
    const purpose = 'p'.repeat(200);
    const res = await ctx.call(bare, { method: 'GET', url: caseUrl(caseId), headers: { 'x-purpose': ` ${purpose} ` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await lineOf(res)).toMatchObject({ action: 'case.read', purpose, caseIds: [caseId], outcome: 'shown' });
  });

  it('the refused request shows no case data and leaves no "shown" line', async () => {
    const res = await ctx.call(bare, { method: 'GET', url: caseUrl(caseId) });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('WN-2026-0042');
    const page = await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/access-log?limit=500` });
    const lines = (page.json().items as LoggedAccess[]).filter((i) => i.requestId === res.headers['x-request-id']);
    expect(lines.map((l) => l.outcome)).toEqual(['refused']);
  });

  it('other roles need no purpose, and their lines carry none', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(caseId) });
    expect(res.statusCode).toBe(200);
    expect(await lineOf(res)).toMatchObject({ action: 'case.read', purpose: null });
  });

  it('with a purpose the same inspector reads, and the line carries it', async () => {
    const res = await ctx.call(ctx.inspector, { method: 'GET', url: caseUrl(caseId) });
    expect(res.statusCode).toBe(200);
    expect(await lineOf(res)).toMatchObject({ action: 'case.read', purpose: PURPOSE, caseIds: [caseId] });
  });
});

describe('an inspector of another region', () => {
  it.each([
    ['the case', () => ({ url: caseUrl(caseId) })],
    ['its trail (JSON)', () => ({ url: trailUrl(caseId) })],
    ['its trail (HTML)', () => ({ url: trailUrl(caseId), headers: { accept: 'text/html' } })],
    ['its export', () => ({ url: `${trailUrl(caseId)}/export` })],
  ] as const)('gets 404 on %s, and no line shows it the case', async (_name, request) => {
    const res = await ctx.call(ctx.otherInspector, { method: 'GET', ...request() });
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.body).not.toContain('WN-2026-0042');
    const line = await lineOf(res);
    expect(line?.outcome === 'shown' && line.caseIds.includes(caseId)).toBeFalsy();
  });

  it('does not find the case in its list; the national inspector and the regional one do', async () => {
    const ids = async (caller: Caller) => {
      const res = await ctx.call(caller, { method: 'GET', url: `${API}/cases?limit=100` });
      expect(res.statusCode).toBe(200);
      return (res.json().items as { id: string }[]).map((i) => i.id);
    };
    expect(await ids(ctx.otherInspector)).not.toContain(caseId);
    expect(await ids(ctx.inspector)).toContain(caseId);
    expect(await ids(ctx.nationalInspector)).toContain(caseId);
    for (const caller of [ctx.inspector, ctx.nationalInspector]) {
      expect((await ctx.call(caller, { method: 'GET', url: `${trailUrl(caseId)}/export` })).statusCode).toBe(200);
    }
  });

  it('answers 404 for the other region\'s case exactly as for a case that does not exist', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const a = await ctx.call(ctx.otherInspector, { method: 'GET', url: trailUrl(caseId) });
    const b = await ctx.call(ctx.otherInspector, { method: 'GET', url: trailUrl(unknown) });
    const strip = (r: LightMyRequestResponse) => ({ ...r.json(), instance: undefined });
    expect(strip(a)).toEqual(strip(b));
  });
});
