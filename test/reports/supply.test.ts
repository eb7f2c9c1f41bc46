/**
 * The supply report (DESIGN §6.4) with known inputs, on both stores: per kind of help the items
 * advised, median and p90 waiting weeks at the advice and now, the items not started for lack of
 * capacity and those above the region's norm; maatwerk by kind and municipality; JSON, CSV and
 * HTML; exact for the expert team and inspectors, suppressed for publication, per municipality.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, REGION, type Caller, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';

let ctx: TestContext;
let provider: Caller;
beforeEach(async () => {
  ctx = await createTestContext();
  provider = { token: (await ctx.newClient({ role: 'provider', organisation: 'Jeugdzorg Oost', region: REGION, name: 'Oost' })).token,
    role: 'provider', headers: {} };
});
afterEach(async () => { await ctx.close(); });

const today = () => ctx.clock.now().toISOString().slice(0, 10);

async function offer(kind: string, weeks: number): Promise<string> {
  const res = await ctx.call(ctx.admin, { method: 'POST', url: '/api/v1/offers', payload: {
    provider: 'Jeugdzorg Oost', name: `Aanbod ${kind}`, kind, laws: ['jeugdwet'], municipalities: ['GM0363'],
  } });
  const id = res.json().id as string;
  await report(id, weeks);
  return id;
}
const report = (id: string, weeks: number) => ctx.call(provider, {
  method: 'POST', url: `/api/v1/offers/${id}/waiting-times`, payload: { weeks, measuredAt: today(), source: 'provider' },
});

const existing = (extra: Record<string, unknown>) => {
  const { noOfferBecause: _n, financing: _f, waitingWeeks: _w, ...item } = helpItem(0);
  return { ...item, kind: 'existing_offer', ...extra };
};

/** An advised case in advising with these items; its view after the advice. */
async function advised(items: unknown[], municipalityCode = 'GM0363') {
  const id = await ctx.createCase(submission({ subject: { ...submission().subject, municipalityCode } } as never));
  for (const type of ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG'] as const) {
    const extra = type === 'SCHEDULE_OVERLEG' ? { scheduledAt: ctx.clock.now().toISOString() }
      : type === 'RECORD_OVERLEG' ? { heldAt: ctx.clock.now().toISOString() } : {};
    const res = await ctx.send(ctx.expertTeam, id, (events[type] as (x: object) => object)(extra));
    expect(res.statusCode, res.body).toBe(200);
  }
  const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: items as never }));
  expect(res.statusCode, res.body).toBe(200);
  return { id, items: res.json().helpItems as { id: string }[] };
}

const supply = (who: Caller, query = 'from=2026-01&to=2026-01', accept = 'application/json') =>
  ctx.call(who, { url: `/api/v1/reports/supply?${query}`, headers: { accept } });

async function scenario(): Promise<void> {
  await ctx.regions.set(REGION, { waitingNorm: 8 });
  const day = await offer('dagbehandeling', 9);
  const amb = await offer('ambulant', 4);
  await advised([existing({ offerId: day }), { ...helpItem(20), helpKind: 'verblijf' }]);
  const second = await advised([existing({ offerId: day }), existing({ offerId: amb })]);
  await advised([existing({ waitingWeeks: 6 })], 'GM0153');
  // The ambulant item did not start: the provider had no place.
  const res = await ctx.send(ctx.expertTeam, second.id, events.UPDATE_HELP_ITEM({
    itemId: second.items[1]!.id, status: 'not_started', reason: 'De aanbieder heeft geen plek', notStartedBecause: 'capacity',
  }));
  expect(res.statusCode, res.body).toBe(200);
  // Today the day treatment waits 12 weeks.
  ctx.clock.advance(86_400_000);
  await report(day, 12);
}

const cell = (list: { key: string }[], key: string) => list.find((c) => c.key === key);

describe('the supply report', () => {
  it('gives the exact figures of known inputs to the expert team', async () => {
    await scenario();
    const res = await supply(ctx.expertTeam);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ region: REGION, municipality: null, publication: false, waitingNorm: 8,
      period: { from: '2026-01-01', to: '2026-01-31' } });
    expect(r.totals).toEqual({ advised: 5, customArrangements: 1, notStartedForLackOfCapacity: 1, aboveNorm: 3 });
    expect(cell(r.byKind.advised, 'dagbehandeling')).toEqual({ key: 'dagbehandeling', count: 2, suppressed: false });
    expect(cell(r.byKind.advised, 'ambulant')).toMatchObject({ count: 1 });
    expect(cell(r.byKind.advised, 'verblijf')).toMatchObject({ count: 1 });
    expect(cell(r.byKind.advised, 'unspecified')).toMatchObject({ count: 1 });
    expect(cell(r.byKind.advised, 'pleegzorg')).toMatchObject({ count: 0 });
    expect(cell(r.byKind.waitingAtAdvice, 'dagbehandeling')).toEqual({ key: 'dagbehandeling', medianWeeks: 9, p90Weeks: 9, suppressed: false, n: 2 });
    expect(cell(r.byKind.waitingNow, 'dagbehandeling')).toEqual({ key: 'dagbehandeling', medianWeeks: 12, p90Weeks: 12, suppressed: false, n: 2 });
    expect(cell(r.byKind.waitingAtAdvice, 'verblijf')).toMatchObject({ medianWeeks: 20, n: 1 });
    // Maatwerk has no offer: nothing to say about its waiting time today.
    expect(cell(r.byKind.waitingNow, 'verblijf')).toMatchObject({ medianWeeks: null, p90Weeks: null, n: 0 });
    expect(cell(r.byKind.waitingAtAdvice, 'unspecified')).toMatchObject({ medianWeeks: 6, n: 1 });
    expect(cell(r.byKind.notStartedForLackOfCapacity, 'ambulant')).toMatchObject({ count: 1 });
    expect(cell(r.byKind.aboveNorm, 'dagbehandeling')).toMatchObject({ count: 2 });
    expect(cell(r.byKind.aboveNorm, 'verblijf')).toMatchObject({ count: 1 });
    expect(cell(r.customArrangements.byKind, 'verblijf')).toMatchObject({ count: 1 });
    expect(r.customArrangements.byMunicipality).toEqual([{ key: 'GM0363', count: 1, suppressed: false }]);

    // The inspector of the region reads the same; nothing falls in February.
    expect((await supply(ctx.inspector)).json().totals).toEqual(r.totals);
    expect((await supply(ctx.expertTeam, 'from=2026-02&to=2026-02')).json().totals.advised).toBe(0);
  });

  it('narrows to a municipality, and suppresses small counts for publication', async () => {
    await scenario();
    const enschede = (await supply(ctx.expertTeam, 'from=2026-01&to=2026-01&municipality=GM0153')).json();
    expect(enschede.totals).toEqual({ advised: 1, customArrangements: 0, notStartedForLackOfCapacity: 0, aboveNorm: 0 });
    const published = (await supply(ctx.expertTeam, 'from=2026-01&to=2026-01&publication=true')).json();
    expect(published.suppressionThreshold).toBe(5);
    expect(cell(published.byKind.advised, 'dagbehandeling')).toEqual({ key: 'dagbehandeling', count: null, suppressed: true });
    expect(cell(published.byKind.waitingAtAdvice, 'dagbehandeling')).toEqual({
      key: 'dagbehandeling', medianWeeks: null, p90Weeks: null, suppressed: true,
    });
  });

  it('answers a municipality with its own municipality\'s figures, always suppressed; never a case', async () => {
    await scenario();
    const enschede: Caller = { token: (await ctx.newClient({ role: 'municipality', organisation: 'GM0153', region: REGION,
      name: 'Gemeente Enschede' })).token, role: 'municipality', headers: {} };
    // Whatever it asks (another municipality, no publication), it gets its own, as published.
    const own = await supply(enschede, 'from=2026-01&to=2026-01&municipality=GM0363&publication=false');
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ municipality: 'GM0153', suppressionThreshold: 5 });
    expect(own.json().totals.advised).toBeNull();
    expect((await supply(enschede, 'from=2026-01&to=2026-01', 'text/html')).body).toContain('geadviseerd in de periode: <strong>minder dan 5</strong>');
    expect((await supply(enschede, 'from=2026-01&to=2026-01&region=R02')).statusCode).toBe(403);
    expect((await ctx.call(enschede, { url: '/api/v1/cases' })).statusCode).toBe(403);
  });

  it('answers CSV and an accessible HTML page with a chart', async () => {
    await scenario();
    const csv = await supply(ctx.expertTeam, 'from=2026-01&to=2026-01', 'text/csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('section,figure,category,value');
    expect(csv.body).toContain('byKind,advised,dagbehandeling,2');
    const html = await supply(ctx.expertTeam, 'from=2026-01&to=2026-01', 'text/html');
    expect(html.body).toContain('<html lang="nl">');
    expect(html.body).toMatch(/<svg[^>]*role="img"[^>]*aria-label="Mediane wachttijd/);
    expect(html.body).toContain('Dagbehandeling');
  });

  it('covers whole months and only the region\'s expert team and inspectors', async () => {
    expect((await supply(ctx.expertTeam, 'from=2026-01-15&to=2026-01')).json()).toMatchObject({ code: 'PERIOD_NOT_WHOLE_MONTHS' });
    expect((await supply(ctx.expertTeam, 'from=2026-13')).statusCode).toBe(400);
    for (const who of [ctx.localTeam, ctx.admin, provider]) expect((await supply(who)).statusCode).toBe(403);
    expect((await supply(ctx.expertTeam, 'region=R02')).statusCode).toBe(403);
    expect((await supply(ctx.nationalInspector)).json()).toMatchObject({ status: 400, invalidParams: [{ name: 'region' }] });
    expect((await supply(ctx.nationalInspector, `from=2026-01&to=2026-01&region=${REGION}`)).statusCode).toBe(200);
  });
});
