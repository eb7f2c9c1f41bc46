/**
 * Optimistic concurrency (DESIGN §3, §4): If-Match applies an event only on the version it names,
 * and two events racing on one case never both apply: one wins, the other gets 409 or 412, and
 * nothing is lost or doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import {
  API, apply, expectProblem, expectView, footprint, listAllIds, readCase, readTrail,
} from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

describe('POST /api/v1/cases/{id}/events with If-Match', () => {
  it('answers 412 VERSION_MISMATCH for a stale version and changes nothing', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    for (const stale of ['"1"', '"3"', '"0"']) {
      expectProblem(await ctx.send(ctx.expertTeam, id, events.ACCEPT(), { 'if-match': stale }), 412, 'VERSION_MISMATCH');
    }
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('applies the event on the current version and answers with the next ETag', async () => {
    const id = await ctx.caseIn('triage');
    const res = await ctx.send(ctx.expertTeam, id, events.ACCEPT(), { 'if-match': '"2"' });
    expect(expectView(res)).toMatchObject({ state: 'planning_overleg', version: 3 });
    expect(res.headers.etag).toBe('"3"');
  });

  it('applies the event with If-Match: *', async () => {
    const id = await ctx.caseIn('triage');
    const view = expectView(await ctx.send(ctx.expertTeam, id, events.ACCEPT(), { 'if-match': '*' }));
    expect(view.version).toBe(3);
  });

  it('applies the event when the current ETag is one of a list', async () => {
    const id = await ctx.caseIn('triage');
    const view = expectView(await ctx.send(ctx.expertTeam, id, events.ACCEPT(), { 'if-match': '"1", "2"' }));
    expect(view.version).toBe(3);
  });

  it('round-trips: the ETag of GET is the If-Match that applies the next event', async () => {
    const id = await ctx.caseIn('follow_up');
    for (let i = 0; i < 3; i++) {
      const read = await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases/${id}` });
      const etag = read.headers.etag as string;
      const res = await ctx.send(ctx.localTeam, id, events.REPORT_PROGRESS(), { 'if-match': etag });
      expect(expectView(res).version).toBe(Number(etag.replaceAll('"', '')) + 1);
    }
  });

  it('uses strong comparison: a weak tag W/"2" does not match', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.expertTeam, id, events.ACCEPT(), { 'if-match': 'W/"2"' }), 412, 'VERSION_MISMATCH');
  });

  it('answers 404, not 412, for a case that does not exist', async () => {
    const res = await ctx.send(ctx.expertTeam, '00000000-0000-4000-8000-000000000000', events.ACCEPT(), { 'if-match': '"2"' });
    expectProblem(res, 404, 'NOT_FOUND');
  });
});

describe('POST /api/v1/cases/{id}/events racing on one case', () => {
  it('applies exactly one of ACCEPT and DECLINE sent at once: one 200, one 409', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const [accept, decline] = await Promise.all([
      ctx.send(ctx.expertTeam, id, events.ACCEPT()),
      ctx.send(ctx.expertTeam, id, events.DECLINE()),
    ]);
    const statuses = [accept.statusCode, decline.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const [winner, loser] = accept.statusCode === 200 ? [accept, decline] : [decline, accept];
    const won = expectView(winner);
    const problem = expectProblem(loser, 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe(won.state);

    const after = await footprint(ctx, id);
    expect(after.version).toBe(before.version + 1);
    expect(after.entries).toBe(before.entries + 1);
    expect(after.state).toBe(won.state);
    const trail = await readTrail(ctx, id);
    expect(trail.entries.at(-1)?.type).toBe(winner === accept ? 'ACCEPT' : 'DECLINE');
  });

  it('applies exactly one of two events sent at once with If-Match of the same version: one 200, one 412', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const ifMatch = { 'if-match': `"${before.version}"` };
    const responses = await Promise.all([
      ctx.send(ctx.expertTeam, id, events.ACCEPT(), ifMatch),
      ctx.send(ctx.expertTeam, id, events.DECLINE(), ifMatch),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 412]);
    const loser = responses.find((r) => r.statusCode === 412);
    expectProblem(loser as NonNullable<typeof loser>, 412, 'VERSION_MISMATCH');
    const after = await footprint(ctx, id);
    expect(after.version).toBe(before.version + 1);
    expect(after.entries).toBe(before.entries + 1);
  });

  it('applies one of ten notes sent at once with the same If-Match, refusing the other nine with 412', async () => {
    const id = await ctx.caseIn('follow_up');
    const before = await footprint(ctx, id);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      ctx.send(i % 2 ? ctx.localTeam : ctx.expertTeam, id, events.ADD_NOTE({ text: `note ${i}` }),
        { 'if-match': `"${before.version}"` })));
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    for (const res of responses.filter((r) => r.statusCode !== 200)) expectProblem(res, 412, 'VERSION_MISMATCH');
    const view = await readCase(ctx, id);
    expect(view.version).toBe(before.version + 1);
    expect(view.data.notes).toHaveLength(1);
  });

  it('applies all of ten notes sent at once without If-Match, each once, with consecutive versions', async () => {
    const id = await ctx.caseIn('follow_up');
    const before = await footprint(ctx, id);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      apply(ctx, ctx.expertTeam, id, events.ADD_NOTE({ text: `note ${i}` }))));
    expect(responses.map((v) => v.version).sort((a, b) => a - b))
      .toEqual(Array.from({ length: 10 }, (_, i) => before.version + 1 + i));
    const trail = await readTrail(ctx, id);
    expect(trail.entries.map((e) => e.version)).toEqual(Array.from({ length: before.version + 10 }, (_, i) => i + 1));
    const texts = trail.entries.filter((e) => e.type === 'ADD_NOTE').map((e) => (e.payload as { text: string }).text);
    expect(texts.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `note ${i}`).sort());
    expect((await readCase(ctx, id)).data.notes).toHaveLength(10);
  });

  it('lets a CLOSE and a WITHDRAW race: one closes the case, the other gets 409 in closed', async () => {
    const id = await ctx.caseIn('follow_up');
    await apply(ctx, ctx.localTeam, id, events.REPORT_PROGRESS());
    const responses = await Promise.all([
      ctx.send(ctx.expertTeam, id, events.CLOSE({ outcome: 'no_longer_needed', explanation: 'The family found help on their own' })),
      ctx.send(ctx.localTeam, id, events.WITHDRAW()),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = responses.find((r) => r.statusCode === 409);
    expect(expectProblem(loser as NonNullable<typeof loser>, 409, 'EVENT_NOT_ALLOWED').state).toBe('closed');
    expect((await footprint(ctx, id)).version).toBe(8);
  });

  it('creates two cases for two submissions sent at once', async () => {
    const before = await listAllIds(ctx, ctx.localTeam);
    const ids = await Promise.all([ctx.createCase(), ctx.createCase()]);
    expect(new Set(ids).size).toBe(2);
    expect(await listAllIds(ctx, ctx.localTeam)).toHaveLength(before.length + 2);
  });
});
