/**
 * Two real instances on one PostgreSQL database take events for the same cases while one of them,
 * then the other, is killed with kill -9 again and again (issue 11). Every event acknowledged with
 * 200 is in the trail exactly once, the versions of every case run without a gap, and the audit
 * verifies: an instance dying mid-request loses only what it never acknowledged.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill9, killAll, ROOT, sleep, startService, waitHealthy, type ServiceProcess } from '../crash/harness.ts';
import { events, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';
import { verifyPostgres } from '../../src/store/postgres/verifier.ts';

const run = promisify(execFile);
const API = '/api/v1';
const KILLS = 4;

describe.skipIf(!pgUrl)('two instances taking events, killed with kill -9 in turn', () => {
  let t: PgTestDatabase;
  beforeAll(async () => { t = await freshPgDatabase(); });
  afterAll(async () => {
    await killAll();
    await t?.drop();
  });

  it('keeps every acknowledged event, once, with no gap in any case', async () => {
    const env = { DATABASE_URL: t.url, SCHEDULER_INTERVAL_MS: '0' };
    const start = async () => { const s = await startService('/nonexistent/unused.db', env); await waitHealthy(s); return s; };
    const token = async (role: string, org: string) => (await run(process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'token', 'create', '--role', role, '--org', org, '--region', 'R01', '--name', org],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.url }, timeout: 60_000 })).stdout.trim().split('\n').at(-1)!;
    const local = await token('local_team', 'wt-noord');
    const expert = await token('expert_team', 'ret-r01');
    const instances: ServiceProcess[] = [await start(), await start()];
    const post = async (i: number, path: string, body: unknown) => {
      const res = await fetch(`${instances[i]!.url}${API}${path}`, {
        method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5_000),
        headers: { authorization: `Bearer ${expert}`, 'content-type': 'application/json' },
      });
      return { status: res.status, body: await res.json() as { id: string } };
    };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${instances[i % 2]!.url}${API}/cases`, {
        method: 'POST', body: JSON.stringify(submission()),
        headers: { authorization: `Bearer ${local}`, 'content-type': 'application/json' },
      });
      ids.push((await res.json() as { id: string }).id);
    }

    const acknowledged: string[] = [];
    let stop = false;
    let sent = 0;
    const sender = async (lane: number) => {
      while (!stop) {
        const text = `lane ${lane} note ${sent++}`;
        const target = ids[Math.floor(Math.random() * ids.length)]!;
        try {
          const res = await post(Math.random() < 0.5 ? 0 : 1, `/cases/${target}/events`, events.ADD_NOTE({ text }));
          if (res.status === 200) acknowledged.push(`${target} ${text}`);
        } catch {
          await sleep(10); // the instance is down: the other one, or later
        }
      }
    };
    const lanes = Array.from({ length: 6 }, (_, lane) => sender(lane));
    for (let k = 0; k < KILLS; k++) {
      await sleep(300 + Math.random() * 300);
      const victim = k % 2;
      await kill9(instances[victim]!);
      instances[victim] = await start();
    }
    await sleep(300);
    stop = true;
    await Promise.all(lanes);

    expect(acknowledged.length).toBeGreaterThan(50);
    const { rows } = await t.db.$client.query(`SELECT case_id, version, payload::jsonb ->> 'text' AS text FROM case_events
      WHERE case_id = ANY($1) ORDER BY case_id, version`, [ids]);
    const stored = rows.filter((r) => r.text !== null).map((r) => `${r.case_id as string} ${r.text as string}`);
    for (const ack of acknowledged) expect(stored.filter((s) => s === ack), ack).toHaveLength(1);
    // Versions 1..n in every case: no gap, no repeat.
    for (const id of ids) {
      const versions = rows.filter((r) => r.case_id === id).map((r) => r.version as number);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
  }, 120_000);
});
