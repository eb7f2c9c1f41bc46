/**
 * GET /audit/verify off the event loop (issue 12): on a database file the verification runs in its
 * own thread; `full=false` continues from the last verification, after checking that its last
 * entry still carries the same log hash; the default checks every entry again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { API } from '../support/http.ts';
import { tempDir } from './support.ts';

const tmp = tempDir('passend-verifier-');
let ctx: TestContext;
let id: string;
beforeAll(async () => {
  ctx = await createTestContext({ path: join(tmp.dir, 'passend.db') });
  id = await ctx.createCase();
  await ctx.send(ctx.expertTeam, id, events.START_TRIAGE());
});
afterAll(async () => { await ctx.close(); tmp.remove(); });

const verify = async (query = '') => {
  const res = await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/audit/verify${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { ok: boolean; checked: number; head: string; firstBroken?: { seq: number; reason: string } };
};
const entries = () => ctx.db.$client.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
const lastHash = () => ctx.db.$client.prepare('SELECT log_hash FROM audit_log ORDER BY seq DESC LIMIT 1').pluck().get();

describe('audit verification in its own thread', () => {
  it('checks every entry, and full=false the new ones after, with the same count and head', async () => {
    const full = await verify();
    expect(full).toMatchObject({ ok: true, checked: entries(), head: lastHash() });
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE());
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE());
    const quick = await verify('?full=false');
    expect(quick).toMatchObject({ ok: true, checked: entries(), head: lastHash() });
    expect(quick.checked).toBe(full.checked + 2);
    expect(await verify()).toEqual(quick);
  });

  it('full=false finds a break among the new entries, and a change of the last verified entry', async () => {
    await verify();
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE());
    const newest = ctx.db.$client.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number;
    ctx.db.$client.exec('DROP TRIGGER audit_log_no_update');
    try {
      ctx.db.$client.prepare("UPDATE audit_log SET actor_name = 'iemand' WHERE seq = ?").run(newest);
      expect(await verify('?full=false')).toMatchObject({ ok: false, firstBroken: { seq: newest } });
      ctx.db.$client.prepare("UPDATE audit_log SET actor_name = 'expert_team ret-r01' WHERE seq = ?").run(newest);
      expect((await verify()).ok).toBe(true);
      // The last verified entry re-chained with another log hash: found before anything else.
      const original = lastHash() as string;
      ctx.db.$client.prepare("UPDATE audit_log SET log_hash = ? WHERE seq = ?").run('f'.repeat(64), newest);
      expect(await verify('?full=false')).toMatchObject({ ok: false, firstBroken: { seq: newest } });
      ctx.db.$client.prepare('UPDATE audit_log SET log_hash = ? WHERE seq = ?').run(original, newest);
    } finally {
      ctx.db.$client.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN 0 BEGIN SELECT 1; END`);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('an older entry changed in place is found by the full check (the default), not by full=false', async () => {
    await verify();
    ctx.db.$client.exec('DROP TRIGGER audit_log_no_update');
    ctx.db.$client.prepare("UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2").run();
    expect((await verify('?full=false')).ok).toBe(true);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { seq: 2 } });
    const health = await ctx.call(null, { method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ audit: 'broken', status: 'degraded' });
  });
});
