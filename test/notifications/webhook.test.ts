/**
 * Notifications (issue 3): every state change and every passed deadline goes to an outbox in the
 * same transaction as the change, and from there to the region's webhook, a real HTTP receiver on
 * 127.0.0.1 here. The app runs in-process with a manual clock; `app.scheduler.runOnce()` fires
 * the due timers and delivers the outbox, so retries happen only when the test moves time.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/client.ts';
import type { EventType } from '../../machines/referral.schemas.ts';
import { buildApp } from '../../src/app.ts';
import { createClient } from '../../src/store/sqlite/clients.ts';
import { ManualClock } from '../../src/clock.ts';
import { MAX_ATTEMPTS } from '../../src/notifications/webhook-deliverer.ts';
import { regionSettings } from '../../src/store/sqlite/regions.ts';
import { type Caller, createTestContext, OTHER_REGION, REGION, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API, expectProblem, readCase, readTrail, UNKNOWN_CASE } from '../support/http.ts';
import { Receiver } from './receiver.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';

const SECRET = 'whsec_R01_3f9c0a7d2b';
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const FAILED_URL = `${API}/notifications/failed`;

interface OutboxRow {
  seq: number;
  id: string;
  case_id: string;
  region: string;
  kind: string;
  payload: string;
  created_at: string;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  delivered_at: string | null;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  ctx: TestContext;
  receiver: Receiver;
  outbox(): OutboxRow[];
  row(id: string): OutboxRow;
  round(): Promise<{ timersFired: number }>;
  /** A caller of another role or region, with its own token. */
  caller(role: Caller['role'], organisation: string, region: string): Caller;
}

/** A fresh app with R01's webhook pointing at a fresh receiver, signed with SECRET. */
async function setup(): Promise<Setup> {
  const ctx = await createTestContext();
  const receiver = new Receiver();
  await receiver.open();
  cleanups.push(() => ctx.close(), () => receiver.close());
  regionSettings(ctx.db).set(REGION, { webhookUrl: receiver.url, webhookSecret: SECRET }, ctx.clock.now());
  const all = ctx.db.$client.prepare('SELECT * FROM outbox ORDER BY seq');
  const one = ctx.db.$client.prepare('SELECT * FROM outbox WHERE id = ?');
  return {
    ctx,
    receiver,
    outbox: () => all.all() as OutboxRow[],
    row(id) {
      const row = one.get(id) as OutboxRow | undefined;
      if (!row) throw new Error(`no outbox row ${id}`);
      return row;
    },
    round: () => ctx.app.scheduler.runOnce(),
    caller: (role, organisation, region) => ({
      token: createClient(ctx.db, { role, organisation, region, name: `${role} ${organisation}` }, ctx.clock.now()).token,
      role,
      headers: role === 'inspector' ? { 'x-purpose': 'Toezicht, onderzoek notificaties' } as Record<string, string> : {},
    }),
  };
}

/** The notifications the trails of these cases call for: one per state change, one per DEADLINE_PASSED. */
async function expectedFromTrails(ctx: TestContext, ids: string[]): Promise<Record<string, unknown>[]> {
  const expected: Record<string, unknown>[] = [];
  for (const caseId of ids) {
    const { entries } = await readTrail(ctx, caseId);
    let previous: string | null = null;
    for (const entry of entries) {
      if (entry.type === 'DEADLINE_PASSED') {
        const { deadline, dueAt } = entry.payload as { deadline: string; dueAt: string };
        expected.push({ kind: 'deadline_passed', caseId, region: REGION, at: entry.at, deadline, dueAt,
          state: entry.state, version: entry.version });
      }
      if (entry.state !== previous) {
        expected.push({ kind: 'state_changed', caseId, region: REGION, at: entry.at, from: previous,
          to: entry.state, version: entry.version, event: entry.type });
      }
      previous = entry.state;
    }
  }
  return expected;
}

const withoutId = ({ id: _id, ...rest }: Record<string, unknown>) => rest;
const byJson = (list: Record<string, unknown>[]) => list.map((x) => JSON.stringify(x, Object.keys(x).sort())).sort();

function hmac(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

describe('every state change and every passed deadline is one notification, written with the change', () => {
  it('one per state change and one per DEADLINE_PASSED, nothing for notes or refused requests, matching the trail', async () => {
    const { ctx, receiver, outbox, round } = await setup();
    const count = () => outbox().length;

    /** Sends an event and checks the outbox grew by `delta` at once, before any delivery round. */
    async function send(caller: Caller, id: string, event: { type: EventType }, delta: number) {
      const before = count();
      const res = await ctx.send(caller, id, event);
      expect(res.statusCode, res.body).toBe(200);
      expect(count() - before, `${event.type} notifications`).toBe(delta);
    }

    const before = count();
    const a = await ctx.createCase();
    expect(count() - before, 'SUBMIT').toBe(1);
    await send(ctx.expertTeam, a, events.START_TRIAGE(), 1);
    await send(ctx.expertTeam, a, events.REQUEST_INFORMATION(), 1);
    await send(ctx.localTeam, a, events.PROVIDE_INFORMATION(), 1);
    await send(ctx.expertTeam, a, events.ADD_NOTE(), 0); // no state change
    await send(ctx.localTeam, a, events.ADD_NOTE(), 0);

    // The triage deadline (default P5D) passes: one notification, and the state stays.
    ctx.clock.advance(5 * DAY + 1);
    let fired = await round();
    expect(fired.timersFired).toBe(1);
    expect(count() - before).toBe(5);
    expect((await readCase(ctx, a)).state).toBe('triage');

    await send(ctx.expertTeam, a, events.ACCEPT(), 1);
    ctx.clock.advance(14 * DAY + 1); // the overleg deadline (P14D) passes
    fired = await round();
    expect(fired.timersFired).toBe(1);
    await send(ctx.expertTeam, a, events.SCHEDULE_OVERLEG(), 1);
    await send(ctx.expertTeam, a, events.RECORD_OVERLEG(), 1);
    await send(ctx.expertTeam, a, events.ISSUE_ADVICE(), 1);
    ctx.clock.advance(28 * DAY + 1); // the first follow-up checkpoint (P28D) passes
    fired = await round();
    expect(fired.timersFired).toBe(1);
    await send(ctx.localTeam, a, events.REPORT_PROGRESS(), 0); // follow_up → follow_up
    await send(ctx.expertTeam, a, events.CLOSE({ outcome: 'no_longer_needed', explanation: 'The family found help on their own' }), 1);

    const b = await ctx.createCase();
    await send(ctx.localTeam, b, events.WITHDRAW(), 1);
    const c = await ctx.caseIn('planning_overleg');

    // Refused requests change nothing, so they notify nothing: 404, 403, 400, 412, 409, 422.
    const quiet = count();
    expectProblem(await ctx.send(ctx.expertTeam, UNKNOWN_CASE, events.START_TRIAGE()), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.otherExpertTeam, c, events.SCHEDULE_OVERLEG()), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.localTeam, c, events.SCHEDULE_OVERLEG()), 403, 'FORBIDDEN');
    expectProblem(await ctx.send(ctx.expertTeam, c, { type: 'SCHEDULE_OVERLEG' }), 400, 'VALIDATION_FAILED');
    expectProblem(await ctx.send(ctx.expertTeam, c, events.SCHEDULE_OVERLEG(), { 'if-match': '"1"' }), 412,
      'VERSION_MISMATCH');
    expectProblem(await ctx.send(ctx.expertTeam, c, events.CLOSE()), 409, 'EVENT_NOT_ALLOWED');
    expectProblem(await ctx.send(ctx.expertTeam, c, events.SCHEDULE_OVERLEG({ participants: [
      { role: 'professional', organisation: 'GGZ Noord', discipline: 'psychiatry' }] })), 422,
    'PARTICIPATION_REASON_REQUIRED');
    expectProblem(await ctx.send(ctx.expertTeam, a, events.START_TRIAGE()), 409, 'EVENT_NOT_ALLOWED');
    expectProblem(await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: submission({
      consent: { youth: 'refused', parents: 'refused' } }) }), 422, 'CONSENT_REQUIRED');
    expect(count(), 'notifications of refused requests').toBe(quiet);

    await round();
    const expected = await expectedFromTrails(ctx, [a, b, c]);
    // Sanity: the scenario has the notifications it was written for.
    expect(expected.filter((n) => n.kind === 'deadline_passed').map((n) => n.deadline))
      .toEqual(['triage', 'overleg', 'checkpoint']);
    expect(expected).toHaveLength(17);

    const rows = outbox();
    expect(byJson(rows.map((r) => withoutId(JSON.parse(r.payload) as Record<string, unknown>)))).toEqual(byJson(expected));
    for (const row of rows) {
      const body = JSON.parse(row.payload) as Record<string, unknown>;
      expect(body.id).toBe(row.id);
      expect(row.created_at).toBe(body.at); // stamped with the time of its trail entry
      expect(row.kind).toBe(body.kind);
      expect(row.case_id).toBe(body.caseId);
    }
    // And the receiver got exactly these, once each.
    expect(byJson(receiver.delivered().map(withoutId))).toEqual(byJson(expected));
    expect([...receiver.countsById().values()].every((n) => n === 1)).toBe(true);
    expect(new Set(receiver.countsById().keys())).toEqual(new Set(rows.map((r) => r.id)));
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('is atomic with the change: when the outbox write fails, the event and the passed deadline roll back', async () => {
    const { ctx, outbox, round } = await setup();
    const id = await ctx.caseIn('triage');
    const sqlite = ctx.db.$client;
    const timers = sqlite.prepare('SELECT name, status FROM timers WHERE case_id = ? ORDER BY seq');
    const trailLength = async () => (await readTrail(ctx, id)).entries.length;

    sqlite.exec('CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, \'outbox down\'); END');
    const notified = outbox().length;
    const entries = await trailLength();

    // A state change whose notification cannot be written is not applied.
    const res = await ctx.send(ctx.expertTeam, id, events.ACCEPT());
    expect(res.statusCode).toBe(500);
    const view = await readCase(ctx, id);
    expect(view).toMatchObject({ state: 'triage', version: 2 });
    expect(await trailLength()).toBe(entries);
    expect(timers.all(id)).toEqual([{ name: 'triage', status: 'pending' }]); // not cancelled, no overleg timer

    // An event without a notification is unaffected.
    expect((await ctx.send(ctx.expertTeam, id, events.ADD_NOTE())).statusCode).toBe(200);

    // A deadline whose notification cannot be written does not pass, and stays pending.
    ctx.clock.advance(5 * DAY + 1);
    // The failing timer is rolled back and left pending; the round goes on with the others.
    expect((await round()).timersFired).toBe(0);
    expect(timers.all(id)).toEqual([{ name: 'triage', status: 'pending' }]);
    expect((await readTrail(ctx, id)).entries.map((e) => e.type)).not.toContain('DEADLINE_PASSED');
    // Not recorded, but the view tells the time: the deadline has passed.
    expect((await readCase(ctx, id)).overdue).toBe(true);
    expect(outbox()).toHaveLength(notified);

    // Once the outbox works again, the deadline passes once, with its notification.
    sqlite.exec('DROP TRIGGER outbox_down');
    expect((await round()).timersFired).toBe(1);
    expect((await round()).timersFired).toBe(0);
    expect(timers.all(id)).toEqual([{ name: 'triage', status: 'fired' }]);
    expect((await readTrail(ctx, id)).entries.filter((e) => e.type === 'DEADLINE_PASSED')).toHaveLength(1);
    expect(outbox().slice(notified).map((r) => r.kind)).toEqual(['deadline_passed']);
  });
});

describe('what a notification carries', () => {
  it('ids, states and deadlines only: no personal data of the submission or of any event', async () => {
    const { ctx, receiver, outbox, round } = await setup();
    const marker = (field: string) => `PII-${field}-${randomUUID().slice(0, 8)}`;
    const markers = {
      reference: marker('reference'), referrerOrg: marker('referrer'), summary: marker('summary'),
      youth: marker('youth'), parents: marker('parents'), tried: marker('tried'), legal: marker('legal'),
      coordinator: marker('coordinator'), question: marker('question'), answer: marker('answer'),
      note: marker('note'), rationale: marker('rationale'), reason: marker('reason'),
    };
    const id = await ctx.createCase(submission({
      referrer: { kind: 'professional', organisation: markers.referrerOrg },
      subject: { reference: markers.reference, birthYear: 2013, municipalityCode: 'GM0599' },
      consent: { youth: 'given', parents: 'given', legalGround: markers.legal },
      requestForHelp: { summary: markers.summary, inWordsOfYouth: markers.youth, inWordsOfParents: markers.parents },
      triedSoFar: markers.tried,
    }));
    const ok = async (caller: Caller, event: { type: EventType }) =>
      expect((await ctx.send(caller, id, event)).statusCode).toBe(200);
    await ok(ctx.expertTeam, events.START_TRIAGE({ coordinator: markers.coordinator }));
    await ok(ctx.expertTeam, events.REQUEST_INFORMATION({ question: markers.question }));
    await ok(ctx.localTeam, events.PROVIDE_INFORMATION({ answer: markers.answer }));
    await ok(ctx.expertTeam, events.ADD_NOTE({ text: markers.note }));
    ctx.clock.advance(5 * DAY + 1);
    await ok(ctx.expertTeam, events.ACCEPT({ rationale: markers.rationale }));
    await ok(ctx.localTeam, events.WITHDRAW({ reason: markers.reason }));
    await round();

    expect(receiver.requests.length).toBeGreaterThanOrEqual(6);
    const everything = JSON.stringify([
      receiver.requests.map((r) => ({ path: r.path, headers: r.headers, body: r.body })),
      outbox(),
    ]);
    // The markers did reach the case (so the check below can fail)...
    expect(JSON.stringify(await readTrail(ctx, id))).toContain(markers.reference);
    // ...but no notification, header or outbox row holds any of them, nor the municipality; the
    // birth year is kept out by the closed set of members below (a 4-digit number could occur in a
    // random id or signature, so it is not searched for as text).
    for (const [field, value] of Object.entries(markers)) {
      expect(everything.includes(value), `${field} leaked into a notification`).toBe(false);
    }
    expect(everything).not.toContain('GM0599');
    const allowed = new Set(['id', 'kind', 'caseId', 'region', 'at', 'from', 'to', 'version', 'event',
      'deadline', 'dueAt', 'state']);
    for (const body of receiver.delivered()) {
      expect(Object.keys(body).filter((k) => !allowed.has(k)), JSON.stringify(body)).toEqual([]);
      for (const value of Object.values(body)) expect(['string', 'number'].includes(typeof value) || value === null).toBe(true);
    }
  });

  it('is signed: HMAC-SHA256 with the region secret over "<timestamp>.<body>", with its id and timestamp in headers', async () => {
    const { ctx, receiver, round } = await setup();
    const id = await ctx.createCase();
    const t1 = Math.floor(ctx.clock.now().getTime() / 1000);
    await round();
    ctx.clock.advance(90_000);
    expect((await ctx.send(ctx.expertTeam, id, events.START_TRIAGE())).statusCode).toBe(200);
    const t2 = Math.floor(ctx.clock.now().getTime() / 1000);
    await round();

    expect(receiver.requests).toHaveLength(2);
    receiver.requests.forEach((request, i) => {
      const { headers, body } = request;
      expect(request.method).toBe('POST');
      expect(headers['content-type']).toMatch(/^application\/json\b/);
      const parsed = JSON.parse(body) as { id: string };
      expect(headers['passend-notification-id']).toBe(parsed.id);
      const timestamp = String(headers['passend-timestamp']);
      expect(timestamp).toBe(String(i === 0 ? t1 : t2)); // seconds of the (injected) clock at sending
      const sent = String(headers['passend-signature']);
      expect(sent).toBe(hmac(SECRET, timestamp, body));
      // The signature binds secret, timestamp and body: change any and it no longer verifies.
      expect(sent).not.toBe(hmac('another-secret', timestamp, body));
      expect(sent).not.toBe(hmac(SECRET, String(Number(timestamp) + 1), body));
      expect(sent).not.toBe(hmac(SECRET, timestamp, body.replace('"version":', '"version": ')));
      expect(sent).not.toBe(hmac(SECRET, '', body));
    });
  });
});

describe('delivery: retries with backoff, nothing lost, never sent twice', () => {
  it('a receiver that fails (HTTP 500, then refused connections) and recovers gets every notification once, with a stable id', async () => {
    const { ctx, receiver, outbox, row, round } = await setup();
    receiver.status = 500;
    const ids = [await ctx.createCase(), await ctx.createCase(), await ctx.caseIn('triage')];
    await ctx.send(ctx.expertTeam, ids[0] as string, events.START_TRIAGE());
    expect(outbox()).toHaveLength(5);

    // Round 1: every notification is tried once and fails.
    await round();
    expect(receiver.requests).toHaveLength(5);
    for (const r of outbox()) {
      expect(r).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
      expect(Date.parse(r.next_attempt_at)).toBeGreaterThan(ctx.clock.now().getTime());
    }
    // Without moving the clock, no retry happens, however often the scheduler runs.
    await round();
    await round();
    expect(receiver.requests).toHaveLength(5);

    const gaps: number[] = [];
    const firstId = outbox()[0]?.id as string;
    gaps.push(Date.parse(row(firstId).next_attempt_at) - ctx.clock.now().getTime());
    /**
     * Moves the clock to just before the first notification's next attempt (it is not retried),
     * then onto it (it is retried, with the other four of the same schedule).
     */
    async function nextAttempt(expectRequests: number, during?: () => Promise<void>) {
      const next = Date.parse(row(firstId).next_attempt_at);
      const seen = receiver.requests.length;
      const attempts = row(firstId).attempts;
      ctx.clock.set(new Date(next - 1));
      await round();
      expect(receiver.requests.length, 'a retry before its time').toBe(seen);
      expect(row(firstId).attempts).toBe(attempts);
      await during?.();
      ctx.clock.set(new Date(next));
      await round();
      expect(receiver.requests.length - seen).toBe(expectRequests);
      expect(row(firstId).attempts).toBe(attempts + 1);
      gaps.push(Date.parse(row(firstId).next_attempt_at) - next);
    }

    await nextAttempt(5); // round 2: 500
    await nextAttempt(5); // round 3: 500
    await receiver.close();
    // While the receiver is down, a new case is submitted: its notification joins the retries.
    await nextAttempt(0, async () => { ids.push(await ctx.createCase()); }); // round 4: refused
    expect(row(firstId).last_error).toMatch(/ECONNREFUSED/);
    await nextAttempt(0); // round 5: refused
    await nextAttempt(0); // round 6: refused
    expect(row(firstId)).toMatchObject({ status: 'pending', attempts: 6 });
    // Exponential backoff: every wait longer than the one before.
    for (let i = 1; i < gaps.length; i++) expect(gaps[i], `gaps ${gaps.join(', ')}`).toBeGreaterThan(gaps[i - 1] as number);
    expect(gaps[gaps.length - 1]).toBeGreaterThanOrEqual(16 * (gaps[0] as number));

    // The receiver recovers: within the retries' backoff everything arrives.
    receiver.status = 200;
    await receiver.open();
    for (let i = 0; i < 5; i++) {
      ctx.clock.advance(HOUR);
      await round();
    }
    const rows = outbox();
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('delivered'));

    // Nothing lost: every notification the trails call for arrived with 200, exactly once.
    const expected = await expectedFromTrails(ctx, ids);
    expect(byJson(receiver.delivered().map(withoutId))).toEqual(byJson(expected));
    const okById = new Map<string, number>();
    for (const r of receiver.requests.filter((q) => q.status === 200)) {
      const id = String(r.headers['passend-notification-id']);
      okById.set(id, (okById.get(id) ?? 0) + 1);
    }
    expect(new Set(okById.keys())).toEqual(new Set(rows.map((r) => r.id)));
    expect([...okById.values()].every((n) => n === 1)).toBe(true);

    // A stable id: every attempt of a notification carries the same id and byte-identical body.
    for (const r of rows) {
      const attempts = receiver.for(r.id);
      expect(attempts.length).toBeGreaterThan(0);
      for (const attempt of attempts) {
        expect(attempt.body).toBe(r.payload);
        expect((JSON.parse(attempt.body) as { id: string }).id).toBe(r.id);
      }
      // The one success is the last attempt.
      expect(attempts.map((a) => a.status).at(-1)).toBe(200);
      expect(r.attempts).toBeGreaterThanOrEqual(attempts.length);
      expect(r.delivered_at).not.toBeNull();
    }
    const first = receiver.for(firstId);
    expect(first.map((a) => a.status)).toEqual([500, 500, 500, 200]); // 3 refused attempts reached no one
    expect(row(firstId).attempts).toBe(7);

    // Once delivered, never sent again: more rounds, much later.
    const sent = receiver.requests.length;
    for (let i = 0; i < 6; i++) {
      ctx.clock.advance(6 * HOUR);
      await round();
    }
    expect(receiver.requests.length).toBe(sent);
  });

  it(`after ${MAX_ATTEMPTS} failed attempts a notification is failed, listed for the admin and expert team of its region only`, async () => {
    const { ctx, receiver, outbox, row, round, caller } = await setup();
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(3);
    receiver.status = 500;
    regionSettings(ctx.db).set(OTHER_REGION, { webhookUrl: receiver.url, webhookSecret: 'whsec_R02' }, ctx.clock.now());
    const otherLocalTeam = caller('local_team', 'wt-r02', OTHER_REGION);
    const otherAdmin = caller('admin', 'beheer-r02', OTHER_REGION);

    const ours = await ctx.createCase();
    const res = await ctx.call(otherLocalTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
    expect(res.statusCode, res.body).toBe(201);
    const theirs = (res.json() as { id: string }).id;
    const [mine, other] = outbox();
    expect(mine?.case_id).toBe(ours);
    expect(other).toMatchObject({ case_id: theirs, region: OTHER_REGION });

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await round();
      const status = attempt < MAX_ATTEMPTS ? 'pending' : 'failed';
      expect(row(mine!.id), `after attempt ${attempt}`).toMatchObject({ status, attempts: attempt, last_error: 'HTTP 500' });
      ctx.clock.advance(2 * HOUR); // beyond any backoff
    }
    expect(receiver.for(mine!.id)).toHaveLength(MAX_ATTEMPTS);
    expect(row(other!.id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });

    // Failed is final: more rounds send nothing, even to a receiver that works again.
    receiver.status = 200;
    for (let i = 0; i < 3; i++) {
      await round();
      ctx.clock.advance(2 * HOUR);
    }
    expect(receiver.for(mine!.id)).toHaveLength(MAX_ATTEMPTS);

    const failedFor = async (who: Caller) => {
      const answer = await ctx.call(who, { method: 'GET', url: FAILED_URL });
      expect(answer.statusCode, answer.body).toBe(200);
      return (answer.json() as { items: { id: string; caseId: string; region: string; kind: string;
        attempts: number; lastError: string | null; notification: unknown }[] }).items;
    };
    for (const who of [ctx.admin, ctx.expertTeam]) {
      const items = await failedFor(who);
      expect(items).toEqual([expect.objectContaining({
        id: mine!.id, caseId: ours, region: REGION, kind: 'state_changed', attempts: MAX_ATTEMPTS,
        lastError: 'HTTP 500', notification: JSON.parse(mine!.payload) as unknown,
      })]);
    }
    for (const who of [otherAdmin, ctx.otherExpertTeam]) {
      expect((await failedFor(who)).map((i) => i.id)).toEqual([other!.id]);
    }
    for (const who of [ctx.localTeam, otherLocalTeam, ctx.inspector, ctx.nationalInspector]) {
      expectProblem(await ctx.call(who, { method: 'GET', url: FAILED_URL }), 403, 'FORBIDDEN');
    }
    expectProblem(await ctx.call(null, { method: 'GET', url: FAILED_URL }), 401, 'UNAUTHENTICATED');
  });

  it('notifications of a region without a webhook are skipped: not sent, not failed', async () => {
    const { ctx, receiver, outbox, round, caller } = await setup();
    const otherLocalTeam = caller('local_team', 'wt-r02', OTHER_REGION);
    const res = await ctx.call(otherLocalTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
    expect(res.statusCode, res.body).toBe(201);
    const theirs = (res.json() as { id: string }).id;
    const ours = await ctx.createCase();

    await round();
    const rows = outbox();
    expect(rows.find((r) => r.case_id === theirs)).toMatchObject({ status: 'skipped', attempts: 0, region: OTHER_REGION });
    expect(rows.find((r) => r.case_id === ours)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(receiver.delivered().map((b) => b.caseId)).toEqual([ours]);

    ctx.clock.advance(2 * HOUR);
    await round();
    expect(receiver.requests).toHaveLength(1);
    const failed = await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: FAILED_URL });
    expect(failed.statusCode).toBe(200);
    expect((failed.json() as { items: unknown[] }).items).toEqual([]);
    // The case itself is unaffected.
    expect((await readCase(ctx, theirs, ctx.otherExpertTeam)).state).toBe('submitted');
  });
});

describe('the scheduler loop of the service', () => {
  it('keeps firing deadlines while a webhook receiver hangs (one region\'s receiver must not stall every region\'s deadlines)', async () => {
    // The service's own loop (SCHEDULER_INTERVAL_MS), not runOnce: as in production.
    const db = openDatabase(':memory:');
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const app = await buildApp({ config: { LOG_LEVEL: 'silent', SCHEDULER_INTERVAL_MS: 20 }, store: sqliteStore(db, clock), clock });
    const hanging = new Receiver();
    hanging.hang = true;
    await hanging.open();
    // Cleanups run last-in first-out: the receiver drops its connections before the app waits for its round.
    cleanups.push(async () => { await app.close(); db.$client.close(); }, () => hanging.close());
    regionSettings(db).set(OTHER_REGION, { webhookUrl: hanging.url, webhookSecret: 'whsec_R02' }, clock.now());
    const token = (region: string) =>
      createClient(db, { role: 'local_team', organisation: `wt-${region}`, region, name: 'wt' }, clock.now()).token;
    const submit = async (bearer: string) => {
      const res = await app.inject({ method: 'POST', url: `${API}/cases`, payload: submission(),
        headers: { authorization: `Bearer ${bearer}` } });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };

    // Region R02's receiver accepts connections and never answers.
    const r02 = token(OTHER_REGION);
    for (let i = 0; i < 3; i++) await submit(r02);
    const until = async (check: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
      return check();
    };
    expect(await until(() => hanging.requests.length > 0, 20_000), 'the loop tried the R02 webhook').toBe(true);

    // A case of region R01 (no webhook at all) passes its triage deadline meanwhile.
    const ours = await submit(token(REGION));
    clock.advance(5 * DAY + 1);
    const timer = db.$client.prepare('SELECT status FROM timers WHERE case_id = ? AND name = \'triage\'');
    // Not a race against the wall clock: R02's receiver holds each request until the sender's
    // 5 s timeout, and R02's three are sent one after another, so a deadline that waited for them
    // would fire after R02's second request at the earliest.
    const fired = await until(() => (timer.get(ours) as { status: string }).status === 'fired', 20_000);
    expect(fired, 'the R01 triage deadline fired').toBe(true);
    expect(hanging.requests, 'it fired while R02\'s first request still hung').toHaveLength(1);
  });

  it('keeps delivering other regions\' notifications while one region\'s receiver hangs', async () => {
    const db = openDatabase(':memory:');
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const app = await buildApp({ config: { LOG_LEVEL: 'silent', SCHEDULER_INTERVAL_MS: 20 }, store: sqliteStore(db, clock), clock });
    const hanging = new Receiver();
    hanging.hang = true;
    const healthy = new Receiver();
    await hanging.open();
    await healthy.open();
    cleanups.push(async () => { await app.close(); db.$client.close(); }, () => hanging.close(), () => healthy.close());
    regionSettings(db).set(OTHER_REGION, { webhookUrl: hanging.url, webhookSecret: 'whsec_R02' }, clock.now());
    regionSettings(db).set(REGION, { webhookUrl: healthy.url, webhookSecret: 'whsec_R01' }, clock.now());
    const submitIn = async (region: string) => {
      const bearer = createClient(db, { role: 'local_team', organisation: `wt-${region}`, region, name: 'wt' },
        clock.now()).token;
      const res = await app.inject({ method: 'POST', url: `${API}/cases`, payload: submission(),
        headers: { authorization: `Bearer ${bearer}` } });
      expect(res.statusCode, res.body).toBe(201);
    };
    const until = async (check: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
      return check();
    };
    // R02's three notifications are claimed and the first one hangs (5 s timeout each).
    for (let i = 0; i < 3; i++) await submitIn(OTHER_REGION);
    expect(await until(() => hanging.requests.length > 0, 20_000)).toBe(true);
    // R01's notification, written after, arrives while R02's round is still hanging.
    await submitIn(REGION);
    // While R02's first request hangs (until the sender's 5 s timeout), R02 sends nothing else.
    expect(await until(() => healthy.requests.length === 1, 20_000), 'R01 delivered').toBe(true);
    expect(hanging.requests, 'R01 did not wait for R02\'s hanging request').toHaveLength(1);
    expect(hanging.requests).toHaveLength(1);
  });
});
