/**
 * Idempotency-Key on POST /cases and POST /cases/{id}/events (DESIGN §5.6), as a client that
 * retries meets it: the same key and body within 24 hours gets the first answer and changes
 * nothing; another body is refused; keys are the client's own.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, caseUrl, eventsUrl, expectProblem, expectView, footprint } from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set('2026-01-05T09:00:00Z'); });

const casesCount = async () => ((await ctx.sql('SELECT count(*) AS n FROM cases'))[0] as { n: number }).n;
const post = (caller: Caller, url: string, body: object, key?: string) =>
  ctx.call(caller, { method: 'POST', url, payload: body, headers: key === undefined ? {} : { 'idempotency-key': key } });

describe('POST /cases with an Idempotency-Key', () => {
  it('gives the same answer twice and makes one case', async () => {
    const before = await casesCount();
    const first = await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-1');
    const view = expectView(first, 201);
    const again = await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-1');
    expect(expectView(again, 201)).toEqual(view);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await casesCount()).toBe(before + 1);
  });

  it('reads the same body written in another key order as the same request', async () => {
    const body = submission();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const view = expectView(await post(ctx.localTeam, `${API}/cases`, body, 'submit-order'), 201);
    expect(expectView(await post(ctx.localTeam, `${API}/cases`, reordered, 'submit-order'), 201).id).toBe(view.id);
  });

  it('refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing made', async () => {
    expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-2'), 201);
    const before = await casesCount();
    const other = submission({ urgency: 'urgent' });
    expectProblem(await post(ctx.localTeam, `${API}/cases`, other, 'submit-2'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await casesCount()).toBe(before);
  });

  it('keeps each client\'s keys apart: another client\'s same key makes its own case', async () => {
    const mine = expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'shared-key'), 201);
    const theirs = expectView(await post(ctx.otherLocalTeam, `${API}/cases`, submission(), 'shared-key'), 201);
    expect(theirs.id).not.toBe(mine.id);
  });

  it('forgets a key after 24 hours: the same key then makes a new case', async () => {
    const first = expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-day'), 201);
    ctx.clock.advance(24 * 3600_000 - 1000);
    expect(expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-day'), 201).id).toBe(first.id);
    ctx.clock.advance(2000);
    expect(expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-day'), 201).id).not.toBe(first.id);
  });

  it('keeps no key for a refused request: its corrected retry with that key is taken', async () => {
    const before = await casesCount();
    const bad = submission({ subject: { ...submission().subject, municipalityCode: 'GM9999' } });
    expectProblem(await post(ctx.localTeam, `${API}/cases`, bad, 'submit-fix'), 422, 'UNKNOWN_MUNICIPALITY');
    expect(await casesCount()).toBe(before);
    expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'submit-fix'), 201);
  });

  it('refuses a key that is empty, too long or not printable ASCII with 400, making nothing', async () => {
    const before = await casesCount();
    for (const key of ['', 'k'.repeat(256), 'sleutel-é', 'tab\there']) {
      const res = await post(ctx.localTeam, `${API}/cases`, submission(), key);
      const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.invalidParams?.[0]?.name).toBe('Idempotency-Key');
    }
    expect(await casesCount()).toBe(before);
    expectView(await post(ctx.localTeam, `${API}/cases`, submission(), 'k'.repeat(255)), 201);
  });
});

describe('POST /cases/{id}/events with an Idempotency-Key', () => {
  it('applies the event once: the retry gets the first answer, the case stays at its version', async () => {
    const id = await ctx.createCase();
    const first = expectView(await post(ctx.expertTeam, eventsUrl(id), events.START_TRIAGE(), 'triage-1'));
    expect(first.state).toBe('triage');
    const before = await footprint(ctx, id);
    const again = expectView(await post(ctx.expertTeam, eventsUrl(id), events.START_TRIAGE(), 'triage-1'));
    expect(again).toEqual(first);
    expect(await footprint(ctx, id)).toEqual(before);
    // Without the key the same event is a new request, refused in the state the first one left.
    expectProblem(await post(ctx.expertTeam, eventsUrl(id), events.START_TRIAGE()), 409, 'EVENT_NOT_ALLOWED');
  });

  it('refuses the key for an event to another case or of another body', async () => {
    const a = await ctx.createCase();
    const b = await ctx.createCase();
    expectView(await post(ctx.expertTeam, eventsUrl(a), events.START_TRIAGE(), 'event-2'));
    const before = await footprint(ctx, b);
    expectProblem(await post(ctx.expertTeam, eventsUrl(b), events.START_TRIAGE(), 'event-2'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await post(ctx.expertTeam, eventsUrl(a), events.ADD_NOTE(), 'event-2'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await footprint(ctx, b)).toEqual(before);
    const view = await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(a) });
    expect(expectView(view).version).toBe(2);
  });
});
