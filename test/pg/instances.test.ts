/**
 * Several instances on PostgreSQL, checked from outside as an operator would (issue 11, DESIGN
 * §5.5): two real server processes (src/server.ts) on one database named by DATABASE_URL, tokens
 * and a region setting made with the command line against that database.
 *
 * - 50 simultaneous events with the same If-Match, spread over both instances: exactly one 200;
 * - 20 deadlines of PT2S fire exactly once each, both instances' schedulers running;
 * - `audit verify` on the command line verifies the database afterwards;
 * - a case submitted through one instance is read through the other, and its notification
 *   row is there once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, ROOT, startService, until, waitHealthy, type ServiceProcess } from '../crash/harness.ts';
import { events, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';

const run = promisify(execFile);
const API = '/api/v1';

describe.skipIf(!pgUrl)('two instances on one PostgreSQL database', () => {
  let t: PgTestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;
  const cli = async (args: string[]) => (await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' }, timeout: 60_000,
  })).stdout;
  const token = async (role: string, org: string) =>
    (await cli(['token', 'create', '--role', role, '--org', org, '--region', 'R01', '--name', `${role} ${org}`])).trim().split('\n').at(-1)!;

  beforeAll(async () => {
    t = await freshPgDatabase();
    const env = { DATABASE_URL: t.url, SCHEDULER_INTERVAL_MS: '100' };
    // DATABASE_PATH names nothing: with DATABASE_URL set, no file is opened.
    [a, b] = await Promise.all([startService('/nonexistent/unused.db', env), startService('/nonexistent/unused.db', env)]);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await t?.drop();
  });

  const call = async (service: ServiceProcess, tokenValue: string, method: string, path: string, body?: unknown,
    headers: Record<string, string> = {}) => {
    const res = await fetch(`${service.url}${API}${path}`, {
      method, headers: { authorization: `Bearer ${tokenValue}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  it('gives one winner to 50 simultaneous events with one If-Match across both instances', async () => {
    const local = await token('local_team', 'wt-noord');
    const expert = await token('expert_team', 'ret-r01');
    const created = await call(a, local, 'POST', '/cases', submission());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Read through the other instance: one database.
    expect((await call(b, expert, 'GET', `/cases/${id}`)).status).toBe(200);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      call(i % 2 ? a : b, expert, 'POST', `/cases/${id}/events`, events.ADD_NOTE({ text: `n${i}` }), { 'if-match': '"1"' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(49);
    const trail = await call(b, expert, 'GET', `/cases/${id}/trail`);
    expect((trail.body.entries as unknown[]).length).toBe(2);
  });

  it('fires 20 deadlines of PT2S exactly once each, with both schedulers running', async () => {
    expect(await cli(['region', 'set', 'R01', '--triage', 'PT2S'])).toContain('PT2S');
    const local = await token('local_team', 'wt-zuid');
    const expert = await token('expert_team', 'ret-r01-2');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await call(i % 2 ? a : b, local, 'POST', '/cases', submission());
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    const passed = async (id: string) => ((await call(a, expert, 'GET', `/cases/${id}/trail`)).body.entries as { type: string }[])
      .filter((e) => e.type === 'DEADLINE_PASSED').length;
    await until(async () => (await Promise.all(ids.map(passed))).every((n) => n >= 1), 'every triage deadline passed', 30_000);
    // A few more rounds of both schedulers: nothing fires twice.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await Promise.all(ids.map(passed))).toEqual(ids.map(() => 1));
    const { rows } = await t.db.$client.query(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'deadline_passed'
      AND case_id = ANY($1)`, [ids]);
    expect(rows[0].n).toBe(20);
  }, 60_000);

  it('verifies the audit from the command line', async () => {
    const printed = JSON.parse((await cli(['audit', 'verify'])).trim()) as { ok: boolean; checked: number };
    expect(printed.ok).toBe(true);
    // 4 tokens, 1 region setting, 2 cases' submissions and the one note that won, 20 submissions
    // and their 20 deadlines: every write once, none twice.
    expect(printed.checked).toBe(4 + 1 + 1 + 1 + 20 + 20);
  });

  it('erases a file from the command line: both instances answer 410, the audit still verifies', async () => {
    const local = await token('local_team', 'wt-west');
    const created = await call(a, local, 'POST', '/cases', submission());
    const id = created.body.id as string;
    await call(b, local, 'POST', `/cases/${id}/events`, events.ADD_NOTE({ text: 'Naam van de moeder, telefoonnummer' }));
    const erased = JSON.parse((await cli(['retention', 'erase', id, '--reference', 'besluit 2026-7'])).trim());
    expect(erased).toEqual({ erased: [id] });
    expect((await call(a, local, 'GET', `/cases/${id}`)).status).toBe(410);
    expect((await call(b, local, 'GET', `/cases/${id}`)).status).toBe(410);
    const { rows } = await t.db.$client.query('SELECT payload FROM case_events WHERE case_id = $1', [id]);
    expect(rows.map((r) => r.payload).join(' ')).not.toContain('moeder');
    const printed = JSON.parse((await cli(['audit', 'verify'])).trim()) as { ok: boolean };
    expect(printed.ok).toBe(true);
  });
});
