/**
 * Housekeeping (issue 13): settled timers and delivered or skipped notifications go after the
 * region's period, idempotency keys after their 24 hours; pending timers, failed notifications,
 * the trail and the audit stay. Under a steady load the pruned tables stop growing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionSettings } from '../src/store/sqlite/regions.ts';
import { createTestContext, REGION, type TestContext } from './support/app.ts';
import { events, submission } from './support/fixtures.ts';
import { API } from './support/http.ts';

const DAY = 86_400_000;
let ctx: TestContext;
const count = (sql: string): number => ctx.db.$client.prepare(sql).pluck().get() as number;
const settledTimers = () => count("SELECT count(*) FROM timers WHERE status <> 'pending'");
const pendingTimers = () => count("SELECT count(*) FROM timers WHERE status = 'pending'");
const doneNotifications = () => count("SELECT count(*) FROM outbox WHERE status IN ('delivered', 'skipped')");

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set('2026-01-05T09:00:00Z');
  regionSettings(ctx.db).set(REGION, { housekeeping: 'P2D' }, ctx.clock.now());
});
afterAll(() => ctx.close());

describe('housekeeping', () => {
  it('prunes after the region\'s period what was settled before it, and nothing else', async () => {
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: submission(), headers: { 'idempotency-key': 'hk-1' },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    await ctx.send(ctx.expertTeam, id, events.START_TRIAGE());
    ctx.clock.advance(6 * DAY);
    expect((await ctx.app.scheduler.runOnce()).timersFired).toBe(1);
    const first = { pruned: await ctx.app.scheduler.housekeep() };
    // The key is older than 24 hours: gone. The timer settled today: kept. The two notifications of
    // day 0 (no webhook: skipped on this round) are older than the period: gone.
    expect(first.pruned).toMatchObject({ idempotencyKeys: 1, timers: 0, notifications: 2 });
    const settled = settledTimers();
    const done = doneNotifications();
    expect(settled).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(0);
    const pending = pendingTimers();
    const trail = count('SELECT count(*) FROM case_events');
    const audit = count('SELECT count(*) FROM audit_log');

    ctx.clock.advance(DAY);
    await ctx.app.scheduler.runOnce();
    expect(await ctx.app.scheduler.housekeep()).toMatchObject({ timers: 0, notifications: 0 });
    ctx.clock.advance(2 * DAY);
    await ctx.app.scheduler.runOnce();
    expect(await ctx.app.scheduler.housekeep()).toMatchObject({ timers: settled, notifications: done });
    expect(settledTimers()).toBe(0);
    expect(doneNotifications()).toBe(0);
    expect(pendingTimers()).toBe(pending);
    expect(count('SELECT count(*) FROM case_events')).toBe(trail);
    expect(count('SELECT count(*) FROM audit_log')).toBe(audit);
    // The audit still verifies: nothing it covers was touched.
    const verify = await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/audit/verify` });
    expect(verify.json()).toMatchObject({ ok: true });
  });

  it('keeps the pruned tables from growing under a steady load', async () => {
    const sizes: number[] = [];
    for (let day = 0; day < 24; day++) {
      for (let i = 0; i < 3; i++) {
        const id = await ctx.createCase();
        await ctx.send(ctx.expertTeam, id, events.START_TRIAGE());
        await ctx.send(ctx.expertTeam, id, events.DECLINE());
      }
      ctx.clock.advance(DAY);
      await ctx.app.scheduler.runOnce();
      await ctx.app.scheduler.housekeep();
      sizes.push(settledTimers() + doneNotifications() + count('SELECT count(*) FROM idempotency_keys'));
    }
    // With a 2-day period the tables hold about 3 days of settled rows: the same after a week as after three.
    expect(sizes[23]).toBe(sizes[7]);
    expect(Math.max(...sizes.slice(7))).toBe(Math.min(...sizes.slice(7)));
    expect(sizes[23]).toBeGreaterThan(0);
  });
});
