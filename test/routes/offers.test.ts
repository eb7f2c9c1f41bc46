/**
 * The offers register and advice against it, from outside (DESIGN §6.4): the region's admin
 * registers, the expert team reads, the offer's provider reports its waiting time and another
 * provider may not; an item naming the offer carries the register's waiting time, the case view
 * today's too; maatwerk says why no offer fits. On both stores (ON_POSTGRES).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, OTHER_REGION, REGION, type Caller, type TestContext } from '../support/app.ts';
import { events, helpItem } from '../support/fixtures.ts';

let ctx: TestContext;
let provider: Caller;
let otherProvider: Caller;
beforeEach(async () => {
  ctx = await createTestContext();
  const token = async (organisation: string) => ({
    token: (await ctx.newClient({ role: 'provider', organisation, region: REGION, name: organisation })).token,
    role: 'provider' as const, headers: {},
  });
  provider = await token('Jeugdzorg Oost');
  otherProvider = await token('Zorg West');
});
afterEach(async () => { await ctx.close(); });

const OFFER = {
  provider: 'Jeugdzorg Oost', name: 'Dagbehandeling 12+', kind: 'dagbehandeling',
  laws: ['jeugdwet'], municipalities: ['GM0363', 'GM0153'], minAge: 12, maxAge: 18,
};

async function register(body: object = OFFER, who: Caller = ctx.admin): Promise<string> {
  const res = await ctx.call(who, { method: 'POST', url: '/api/v1/offers', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

const report = (who: Caller, id: string, payload: object) =>
  ctx.call(who, { method: 'POST', url: `/api/v1/offers/${id}/waiting-times`, payload });
const today = () => ctx.clock.now().toISOString().slice(0, 10);

const existing = (extra: Record<string, unknown>) => {
  const { noOfferBecause: _n, financing: _f, waitingWeeks: _w, ...item } = helpItem(0);
  return { ...item, kind: 'existing_offer', ...extra };
};

describe('the offers register', () => {
  it('the region\'s admin registers an offer (201, Location); the expert team reads it; others may not', async () => {
    const res = await ctx.call(ctx.admin, { method: 'POST', url: '/api/v1/offers', payload: OFFER });
    expect(res.statusCode).toBe(201);
    const offer = res.json();
    expect(res.headers.location).toBe(`/api/v1/offers/${offer.id}`);
    expect(offer).toMatchObject({ ...OFFER, region: REGION, waitingTime: null });

    const list = await ctx.call(ctx.expertTeam, { url: '/api/v1/offers' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([offer]);
    expect((await ctx.call(ctx.expertTeam, { url: `/api/v1/offers/${offer.id}` })).json()).toEqual({ ...offer, waitingTimes: [] });

    for (const who of [ctx.localTeam, ctx.inspector]) {
      expect((await ctx.call(who, { url: '/api/v1/offers' })).statusCode).toBe(403);
      expect((await ctx.call(who, { url: `/api/v1/offers/${offer.id}` })).statusCode).toBe(403);
    }
    for (const who of [ctx.expertTeam, ctx.localTeam, provider]) {
      expect((await ctx.call(who, { method: 'POST', url: '/api/v1/offers', payload: OFFER })).statusCode).toBe(403);
    }
    // Another region's expert team: not in its register.
    expect((await ctx.call(ctx.otherExpertTeam, { url: '/api/v1/offers' })).json().items).toEqual([]);
    expect((await ctx.call(ctx.otherExpertTeam, { url: `/api/v1/offers/${offer.id}` })).statusCode).toBe(404);
    // The provider reads its own offers, another provider none.
    expect((await ctx.call(provider, { url: '/api/v1/offers' })).json().items.map((o: { id: string }) => o.id)).toEqual([offer.id]);
    expect((await ctx.call(otherProvider, { url: '/api/v1/offers' })).json().items).toEqual([]);

    const audit = await ctx.sql('SELECT actor_role, payload FROM audit_log WHERE action = ?', 'offer_registered');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.payload as string)).toMatchObject({ offerId: offer.id, provider: 'Jeugdzorg Oost' });
  });

  it('refuses a bad offer with a clear 4xx and changes nothing', async () => {
    const before = await ctx.fingerprint();
    const bad = async (payload: object, status: number, code: string, field?: string) => {
      const res = await ctx.call(ctx.admin, { method: 'POST', url: '/api/v1/offers', payload });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().code).toBe(code);
      if (field) expect(res.json().invalidParams.map((p: { name: string }) => p.name)).toContain(field);
    };
    await bad({ ...OFFER, kind: 'zwembad' }, 400, 'VALIDATION_FAILED', 'kind');
    await bad({ ...OFFER, laws: [] }, 400, 'VALIDATION_FAILED', 'laws');
    await bad({ ...OFFER, minAge: 16, maxAge: 12 }, 400, 'VALIDATION_FAILED', 'maxAge');
    await bad({ ...OFFER, extra: 1 }, 400, 'VALIDATION_FAILED');
    await bad({ ...OFFER, municipalities: ['GM9999'] }, 422, 'UNKNOWN_MUNICIPALITY', 'municipalities.0');
    expect(await ctx.fingerprint()).toBe(before);
    await ctx.regions.set(REGION, { municipalities: ['GM0363'] });
    await bad(OFFER, 422, 'MUNICIPALITY_NOT_IN_REGION', 'municipalities.1');
  });

  it('its provider reports 9 weeks (201); another provider may not (403); the admin reports for the region', async () => {
    const id = await register();
    const reported = await report(provider, id, { weeks: 9, measuredAt: today(), source: 'provider' });
    expect(reported.statusCode, reported.body).toBe(201);
    expect(reported.json()).toMatchObject({ weeks: 9, measuredAt: today(), source: 'provider' });

    const before = await ctx.fingerprint();
    expect((await report(otherProvider, id, { weeks: 1, measuredAt: today(), source: 'provider' })).statusCode).toBe(403);
    expect((await report(ctx.expertTeam, id, { weeks: 1, measuredAt: today(), source: 'region' })).statusCode).toBe(403);
    expect((await report(provider, id, { weeks: 1, measuredAt: today(), source: 'region' })).json())
      .toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await report(provider, id, { weeks: 1, measuredAt: '2026-02-01', source: 'provider' })).json())
      .toMatchObject({ status: 422, code: 'DATE_ORDER' });
    expect((await report(provider, id, { weeks: -1, measuredAt: today(), source: 'provider' })).statusCode).toBe(400);
    expect((await report(provider, '00000000-0000-4000-8000-000000000000', { weeks: 1, measuredAt: today(), source: 'provider' }))
      .statusCode).toBe(404);
    expect(await ctx.fingerprint()).toBe(before);

    ctx.clock.advance(60_000);
    expect((await report(ctx.admin, id, { weeks: 11, measuredAt: today(), source: 'region' })).statusCode).toBe(201);
    const offer = (await ctx.call(ctx.expertTeam, { url: `/api/v1/offers/${id}` })).json();
    expect(offer.waitingTime).toMatchObject({ weeks: 11, source: 'region' });
    expect(offer.waitingTimes.map((w: { weeks: number }) => w.weeks)).toEqual([11, 9]);
    // An earlier measurement reported later does not replace the latest one.
    expect((await report(provider, id, { weeks: 4, measuredAt: '2026-01-01', source: 'provider' })).statusCode).toBe(201);
    expect((await ctx.call(ctx.expertTeam, { url: `/api/v1/offers/${id}` })).json().waitingTime.weeks).toBe(11);
    expect(await ctx.sql('SELECT count(*) AS n FROM audit_log WHERE action = ?', 'waiting_time_reported')).toEqual([{ n: 3 }]);
  });

  it('a provider reads no case: 403 for the list and for a case', async () => {
    const id = await ctx.createCase();
    expect((await ctx.call(provider, { url: '/api/v1/cases' })).statusCode).toBe(403);
    expect((await ctx.call(provider, { url: `/api/v1/cases/${id}` })).statusCode).toBe(403);
    expect((await ctx.send(provider, id, events.ADD_NOTE())).statusCode).toBe(403);
  });
});

describe('advice against the register', () => {
  it('an item naming the offer carries 9 weeks, source register; the case view shows today\'s waiting time beside it', async () => {
    const offerId = await register();
    await report(provider, offerId, { weeks: 9, measuredAt: today(), source: 'provider' });
    const id = await ctx.caseIn('advising');
    const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({
      helpItems: [existing({ offerId, waitingWeeks: 2 })] as never,
    }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().helpItems[0]).toMatchObject({
      offerId, waitingWeeks: 9, waitingWeeksSource: 'register', helpKind: 'dagbehandeling',
      offer: { provider: 'Jeugdzorg Oost', name: 'Dagbehandeling 12+' },
    });

    ctx.clock.advance(7 * 86_400_000);
    await report(provider, offerId, { weeks: 11, measuredAt: today(), source: 'provider' });
    const view = (await ctx.call(ctx.localTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(view.helpItems[0]).toMatchObject({ waitingWeeks: 9, waitingWeeksNow: 11, waitingWeeksSource: 'register' });
    // The trail keeps what the register said at the advice.
    const trail = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/trail` })).json();
    expect(trail.entries.find((e: { type: string }) => e.type === 'ISSUE_ADVICE').payload.helpItems[0].waitingWeeks).toBe(9);
  });

  it('an unknown offer, or one of another region, → 422 UNKNOWN_OFFER, and nothing changes', async () => {
    const otherAdmin = (await ctx.newClient({ role: 'admin', organisation: 'beheer', region: OTHER_REGION, name: 'beheer R02' })).token;
    const elsewhere = await register(OFFER, { token: otherAdmin, role: 'admin', headers: {} });
    const id = await ctx.caseIn('advising');
    const before = await ctx.fingerprint();
    for (const offerId of [elsewhere, '00000000-0000-4000-8000-000000000000']) {
      const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [existing({ offerId, waitingWeeks: 1 })] as never }));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'UNKNOWN_OFFER', invalidParams: [{ name: 'helpItems.0.offerId' }] });
    }
    expect(await ctx.fingerprint()).toBe(before);
  });

  it('an offer without a waiting time yet: the item gives one, else 422 WAITING_TIME_UNKNOWN', async () => {
    const offerId = await register();
    const id = await ctx.caseIn('advising');
    const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [existing({ offerId })] as never }));
    expect(res.json()).toMatchObject({ status: 422, code: 'WAITING_TIME_UNKNOWN' });
    const given = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [existing({ offerId, waitingWeeks: 3 })] as never }));
    expect(given.statusCode).toBe(200);
    expect(given.json().helpItems[0]).toMatchObject({ waitingWeeks: 3, waitingWeeksSource: 'estimate' });
  });

  it('a maatwerk item without noOfferBecause → 422 REASON_REQUIRED naming the field', async () => {
    const id = await ctx.caseIn('advising');
    const { noOfferBecause: _n, ...maatwerk } = helpItem(0);
    for (const item of [maatwerk, { ...maatwerk, noOfferBecause: 'past niet' }]) {
      const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [item] }));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'REASON_REQUIRED', invalidParams: [{ name: 'helpItems.0.noOfferBecause' }] });
    }
    expect((await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE())).statusCode).toBe(200);
  });
});
