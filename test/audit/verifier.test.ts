/**
 * GET /audit/verify off the event loop (issue 12): on a database file the verification runs in its
 * own thread; `full=false` continues from the last verification, after checking that its last
 * entry still carries the same log hash; the default checks every entry again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { API } from '../support/http.ts';
import { actorFor, tempDir } from './support.ts';

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
      ctx.db.$client.prepare('UPDATE audit_log SET log_hash = ? WHERE seq = ?').run('f'.repeat(64), newest);
      expect(await verify('?full=false')).toMatchObject({ ok: false, firstBroken: { seq: newest } });
      ctx.db.$client.prepare('UPDATE audit_log SET log_hash = ? WHERE seq = ?').run(original, newest);
    } finally {
      ctx.db.$client.exec('CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN 0 BEGIN SELECT 1; END');
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

describe('a verification while the service writes', () => {
  it('reads the log and the trail as of one moment: events written meanwhile do not break it', async () => {
    const file = await createTestContext({ path: join(tmp.dir, 'busy.db') });
    try {
      const actor = actorFor(file.db, file.localTeam);
      // More entries than one page of the verification's reads (2,000), so that it reads in steps.
      for (let i = 0; i < 5_000; i++) await file.app.engine.submit(actor, submission());
      const expert = actorFor(file.db, file.expertTeam);
      const ids = file.db.$client.prepare('SELECT id FROM cases ORDER BY seq LIMIT 400').pluck().all() as string[];
      let stop = false;
      let written = 0;
      const writer = (async () => {
        for (const id of ids) {
          if (stop) break;
          await file.app.engine.applyEvent(expert, { caseId: id, body: events.ADD_NOTE() });
          written += 1;
          await new Promise((r) => setImmediate(r));
        }
      })();
      const results = [];
      for (let i = 0; i < 3; i++) {
        const res = await file.call(file.nationalInspector, { method: 'GET', url: `${API}/audit/verify` });
        results.push(res.json());
      }
      stop = true;
      await writer;
      expect(written).toBeGreaterThan(0);
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    } finally {
      await file.close();
    }
  });
});
