/**
 * `store copy --to postgres://…` (issue 11, DESIGN §5.5), run as the real command: a busy SQLite
 * file (cases at several stages, notes, a passed deadline, notifications, access log lines, a
 * destroyed file, people and clients) lands on PostgreSQL row for row, and the audit verifies there
 * with the same head as on the file. A second copy into the same database is refused. The
 * PostgreSQL verification finds a changed entry where the SQLite one finds it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pgSchema from '../../db/pg/schema.ts';
import { verifyPostgres } from '../../src/store/postgres/verifier.ts';
import { createUser } from '../../src/store/sqlite/people.ts';
import { createTestContext } from '../support/app.ts';
import { person, signIn, signInLink } from '../console/session.ts';
import { events, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[], databasePath: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const TABLES = (Object.values(pgSchema) as unknown[]).filter((t): t is Table =>
  typeof t === 'object' && t !== null && Symbol.for('drizzle:IsDrizzleTable') in t);

describe.skipIf(!pgUrl)('store copy', () => {
  let dir: string;
  let file: string;
  let target: PgTestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passend-copy-'));
    file = join(dir, 'passend.db');
    const ctx = await createTestContext({ path: file });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await ctx.createCase());
    for (const [i, id] of ids.entries()) {
      await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: `Notitie bij ${i}, met é en “quotes”` }));
      if (i % 3 !== 0) await ctx.send(ctx.expertTeam, id, events.START_TRIAGE());
      await ctx.call(ctx.localTeam, { url: `/api/v1/cases/${id}` });
    }
    // Triage deadlines pass for the cases not yet in triage: timers fired, notifications queued.
    ctx.clock.advance(30 * 24 * 3600_000);
    expect((await ctx.app.scheduler.runOnce()).timersFired).toBeGreaterThan(0);
    await ctx.call(ctx.inspector, { url: '/api/v1/reports/signalering' });
    createUser(ctx.db, { role: 'expert_team', organisation: 'ret-r01', region: 'R01', name: 'Anna', email: 'anna@example.nl' },
      ctx.clock.now());
    await ctx.store.organisations.set('ret-r01', 'Regionaal Expertteam Noord', ctx.clock.now());
    // A row in every table: region settings, an idempotent submission, a sign-in link and a session.
    await ctx.regions.set('R01', { triage: 'P3D' });
    const keyed = await ctx.call(ctx.localTeam, { method: 'POST', url: '/api/v1/cases', payload: submission(),
      headers: { 'idempotency-key': 'copy-test-1' } });
    expect(keyed.statusCode, keyed.body).toBe(201);
    await signIn(ctx, await person(ctx, 'expert_team', 'ret-r01'));
    await signInLink(ctx, await person(ctx, 'local_team', 'wt-noord'));
    const offer = await ctx.call(ctx.admin, { method: 'POST', url: '/api/v1/offers', payload: {
      provider: 'Jeugdzorg Oost', name: 'Dagbehandeling 12+', kind: 'dagbehandeling', laws: ['jeugdwet'], municipalities: ['GM0363'],
    } });
    expect(offer.statusCode, offer.body).toBe(201);
    const waiting = await ctx.call(ctx.admin, { method: 'POST', url: `/api/v1/offers/${offer.json().id}/waiting-times`,
      payload: { weeks: 9, measuredAt: ctx.clock.now().toISOString().slice(0, 10), source: 'region' } });
    expect(waiting.statusCode, waiting.body).toBe(201);
    await ctx.close();
    const erased = cli(['retention', 'erase', ids[0]!, '--reference', 'besluit 2026-1'], file);
    expect(erased.status, erased.stderr).toBe(0);
    target = await freshPgDatabase();
  });
  afterAll(async () => {
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every row of every table and verifies with the same head', async () => {
    const run = cli(['store', 'copy', '--to', target.url], file);
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const heads = [...run.stdout.matchAll(/audit on [^:]+:\s+(\{.*\})/g)].map((m) => JSON.parse(m[1]!));
    expect(heads).toHaveLength(2);
    expect(heads[0].ok).toBe(true);
    expect(heads[1]).toEqual(heads[0]);

    const sqlite = new Database(file, { readonly: true });
    try {
      // Every table has rows to compare, so that a table the copy left out cannot pass as empty.
      const empty = TABLES.map((t) => getTableName(t))
        .filter((name) => (sqlite.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n === 0);
      expect(empty).toEqual([]);
      for (const table of TABLES) {
        const name = getTableName(table);
        const columns = Object.values(getTableColumns(table)).map((c) => c.name);
        const order = columns.includes('seq') ? 'seq' : columns[0]!;
        const fromFile = sqlite.prepare(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY ${order}`).all();
        const { rows } = await target.db.$client.query(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY ${order}`);
        expect(rows, name).toEqual(fromFile);
      }
      expect(sqlite.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: expect.any(Number) });
    } finally {
      sqlite.close();
    }
    // The copied sequence numbers go on: the next case gets the next seq.
    const { rows: [next] } = await target.db.$client.query(`INSERT INTO cases (id, state, version, machine_version, region,
      organisation, municipality, snapshot, created_at, updated_at) VALUES ('new', 'submitted', 1, '2.0.0', 'R01', 'o',
      'GM0363', '{}', 'x', 'x') RETURNING seq, (SELECT max(seq) FROM cases WHERE id <> 'new') AS before`);
    expect(next.seq).toBe(next.before + 1);
    await target.db.$client.query('DELETE FROM cases WHERE id = \'new\'');
  });

  it('refuses to copy into a database that is not empty, and changes nothing there', async () => {
    const before = await target.db.$client.query('SELECT count(*)::int AS n FROM audit_log');
    const again = cli(['store', 'copy', '--to', target.url], file);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/not empty/);
    expect((await target.db.$client.query('SELECT count(*)::int AS n FROM audit_log')).rows).toEqual(before.rows);
  });

  it('verifies on PostgreSQL as on the file: a changed entry is found at its seq', async () => {
    const ok = await verifyPostgres(target.db);
    expect(ok.result.ok).toBe(true);
    const q = (text: string) => target.db.$client.query(text);
    // Only a superuser that switches the append-only trigger off can do this; the chain still tells.
    await q('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await q('UPDATE audit_log SET actor_name = \'iemand anders\' WHERE seq = 7');
    await q('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const broken = await verifyPostgres(target.db);
    expect(broken.result.ok).toBe(false);
    expect(broken.result.firstBroken?.seq).toBe(7);
    // Continuing from the state of the good run checks its last entry again first.
    const last = ok.state!.seq;
    expect((await verifyPostgres(target.db, ok.state!)).result.ok).toBe(true);
    await q('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await q(`UPDATE audit_log SET log_hash = 'forged' WHERE seq = ${last}`);
    await q('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const resumed = await verifyPostgres(target.db, ok.state!);
    expect(resumed.result).toMatchObject({ ok: false, firstBroken: { seq: last, reason: 'the last verified entry changed' } });
  });
});
