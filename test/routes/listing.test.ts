/**
 * GET /api/v1/cases (DESIGN §3): `{ items, nextCursor }`, newest first, paged with limit and cursor
 * without gaps or duplicates, filtered by state and municipality, and only the cases the caller
 * may see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseSummarySchema } from '../../src/cases/case-contract.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, apply, expectProblem, expectView, listAllIds, listCases } from '../support/http.ts';

let ctx: TestContext;
/** wt-noord's cases in the order they were submitted (oldest first). */
const noord: string[] = [];
const noordInTriage = new Set<string>();
const noordIn0599 = new Set<string>();
let zuid: string[] = [];
let otherRegion: string[] = [];

const submitAs = async (caller: TestContext['localTeam'], municipalityCode: string) => {
  const res = await ctx.call(caller, {
    method: 'POST', url: `${API}/cases`,
    payload: submission({ subject: { reference: 'L-1', birthYear: 2012, municipalityCode } }),
  });
  return expectView(res, 201).id;
};

beforeAll(async () => {
  ctx = await createTestContext();
  for (let i = 0; i < 25; i++) {
    const municipality = i % 3 === 0 ? 'GM0599' : 'GM0363';
    const id = await submitAs(ctx.localTeam, municipality);
    noord.push(id);
    if (municipality === 'GM0599') noordIn0599.add(id);
    if (i % 2 === 0) {
      await apply(ctx, ctx.expertTeam, id, events.START_TRIAGE());
      noordInTriage.add(id);
    }
    ctx.clock.advance(60_000);
  }
  zuid = [await submitAs(ctx.otherLocalTeam, 'GM0363'), await submitAs(ctx.otherLocalTeam, 'GM0599')];
  otherRegion = [await submitAs(ctx.otherExpertTeam, 'GM0363')];
});
afterAll(async () => { await ctx.close(); });

const newestFirst = (ids: string[]) => [...ids].reverse();

describe('GET /api/v1/cases', () => {
  it('answers { items, nextCursor } with summaries, newest first, 20 by default', async () => {
    const page = await listCases(ctx, ctx.localTeam);
    expect(page.items).toHaveLength(20);
    expect(page.items.map((i) => i.id)).toEqual(newestFirst(noord).slice(0, 20));
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(Object.keys(CaseSummarySchema.shape).sort());
      expect(item).not.toHaveProperty('data');
    }
  });

  it('reports each case\'s state and municipality in its summary', async () => {
    const page = await listCases(ctx, ctx.localTeam, 'limit=100');
    for (const item of page.items) {
      expect(item.state).toBe(noordInTriage.has(item.id) ? 'triage' : 'submitted');
      expect(item.municipality).toBe(noordIn0599.has(item.id) ? 'GM0599' : 'GM0363');
      expect(item.region).toBe('R01');
      expect(item.version).toBe(noordInTriage.has(item.id) ? 2 : 1);
    }
  });

  it.each([1, 2, 7, 25, 100])('pages with limit=%i through every case once, without gaps, newest first', async (limit) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
      const page = await listCases(ctx, ctx.localTeam, query.toString());
      expect(page.items.length).toBeLessThanOrEqual(limit);
      if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(ids).toEqual(newestFirst(noord));
    expect(pages).toBe(Math.max(1, Math.ceil(noord.length / limit)));
  });

  it('gives a null nextCursor on the last page when the cases fill it exactly', async () => {
    const page = await listCases(ctx, ctx.localTeam, 'limit=25');
    expect(page.items).toHaveLength(25);
    expect(page.nextCursor).toBeNull();
  });

  it('does not shift pages when a new case arrives between them', async () => {
    const extra = await createTestContext();
    try {
      const created: string[] = [];
      for (let i = 0; i < 4; i++) created.push(await extra.createCase());
      const first = await listCases(extra, extra.localTeam, 'limit=2');
      const newcomer = await extra.createCase();
      const second = await listCases(extra, extra.localTeam, `limit=2&cursor=${first.nextCursor}`);
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(newestFirst(created));
      expect(second.nextCursor).toBeNull();
      expect((await listCases(extra, extra.localTeam, 'limit=1')).items[0]?.id).toBe(newcomer);
    } finally {
      await extra.close();
    }
  });

  it('filters by state', async () => {
    const triage = await listAllIds(ctx, ctx.localTeam, 'state=triage&limit=4');
    expect(triage).toEqual(newestFirst(noord.filter((id) => noordInTriage.has(id))));
    const submitted = await listAllIds(ctx, ctx.localTeam, 'state=submitted&limit=4');
    expect(submitted).toEqual(newestFirst(noord.filter((id) => !noordInTriage.has(id))));
    expect(await listAllIds(ctx, ctx.localTeam, 'state=closed')).toEqual([]);
  });

  it('filters by municipality', async () => {
    const ids = await listAllIds(ctx, ctx.localTeam, 'municipality=GM0599&limit=3');
    expect(ids).toEqual(newestFirst(noord.filter((id) => noordIn0599.has(id))));
    expect(await listAllIds(ctx, ctx.localTeam, 'municipality=GM0001')).toEqual([]);
  });

  it('combines the state and municipality filters', async () => {
    const ids = await listAllIds(ctx, ctx.localTeam, 'state=triage&municipality=GM0599&limit=2');
    expect(ids).toEqual(newestFirst(noord.filter((id) => noordIn0599.has(id) && noordInTriage.has(id))));
    expect(ids.length).toBeGreaterThan(0);
  });

  it('answers overdue=false with every case and overdue=true with none while no deadline has passed', async () => {
    expect(await listAllIds(ctx, ctx.localTeam, 'overdue=false')).toEqual(newestFirst(noord));
    expect(await listAllIds(ctx, ctx.localTeam, 'overdue=true')).toEqual([]);
  });

  it('lists only the caller\'s own organisation for a local team', async () => {
    expect(await listAllIds(ctx, ctx.otherLocalTeam)).toEqual(newestFirst(zuid));
  });

  it('lists the whole region, and nothing of another region, for an expert team', async () => {
    const ids = await listAllIds(ctx, ctx.expertTeam, 'limit=10');
    expect(new Set(ids)).toEqual(new Set([...noord, ...zuid]));
    expect(ids).toHaveLength(noord.length + zuid.length);
    expect(await listAllIds(ctx, ctx.otherExpertTeam)).toEqual(otherRegion);
  });

  it('lists every region for a national inspector, and its own region for a regional one', async () => {
    const all = await listAllIds(ctx, ctx.nationalInspector, 'limit=50');
    expect(new Set(all)).toEqual(new Set([...noord, ...zuid, ...otherRegion]));
    expect(await listAllIds(ctx, ctx.otherInspector)).toEqual(otherRegion);
  });

  it('keeps the caller\'s scope when it pages with a cursor it got from another caller', async () => {
    const page = await listCases(ctx, ctx.expertTeam, 'limit=1');
    const other = await listCases(ctx, ctx.localTeam, `cursor=${page.nextCursor}&limit=100`);
    expect(other.items.every((i) => noord.includes(i.id))).toBe(true);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=ten', 'limit'],
    ['state=open', 'state'],
    ['state=TRIAGE', 'state'],
    ['municipality=0363', 'municipality'],
    ['municipality=GM036', 'municipality'],
    ['overdue=yes', 'overdue'],
    [`cursor=${'A'.repeat(65)}`, 'cursor'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('s0').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('s-5').toString('base64url')}`, 'cursor'],
    ['cursor=', 'cursor'],
  ])('answers 400 VALIDATION_FAILED for %s', async (query, param) => {
    const res = await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases?${query}` });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain(param);
  });
});
