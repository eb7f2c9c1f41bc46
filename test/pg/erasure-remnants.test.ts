/**
 * Erased means gone on PostgreSQL too (issue 29): after `retention erase`, no old row version in
 * the data files holds the words. PostgreSQL keeps dead tuples in the table's pages until VACUUM,
 * and a plain VACUUM leaves their bytes in the page's free space; the erasure ends with
 * VACUUM (FULL), which writes the tables anew. Checked on the bytes: after a CHECKPOINT every
 * relation file of the database (tables, their TOAST tables, indexes) is read with
 * pg_read_binary_file (the test cluster's role is a superuser) and searched.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventType } from '../../machines/referral.schemas.ts';
import { buildApp, type App } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { postgresStore } from '../../src/store/postgres/store.ts';
import { ROOT } from '../crash/harness.ts';
import { events, fixtureClock, PATH_TO, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';

const run = promisify(execFile);
const CASES = 30;
const ERASED = [3, 11, 17, 26];
const referenceOf = (i: number) => `Zq${String(i).padStart(3, '0')}-Wolkenkrabber`;
const questionOf = (i: number) => `Zq${String(i).padStart(3, '0')} Wij vragen ons af of Mees weer naar school kan`;

describe.skipIf(!pgUrl)('retention erase on PostgreSQL', () => {
  let t: PgTestDatabase;
  let app: App;
  const ids: string[] = [];
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  const previousFixtureClock = fixtureClock.now;

  /** Every relation file of this database, flushed first, as one latin1 string. */
  const dataFiles = async (): Promise<string> => {
    await t.db.$client.query('CHECKPOINT');
    const { rows } = await t.db.$client.query(`SELECT pg_relation_filepath(c.oid) AS path FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't', 'i') AND pg_relation_filepath(c.oid) IS NOT NULL`);
    let bytes = '';
    for (const { path } of rows as { path: string }[]) {
      const file = await t.db.$client.query('SELECT pg_read_binary_file($1::text) AS b', [path]);
      bytes += (file.rows[0].b as Buffer | null)?.toString('latin1') ?? '';
    }
    return bytes;
  };

  beforeAll(async () => {
    fixtureClock.now = () => clock.now();
    t = await freshPgDatabase();
    const store = postgresStore(t.db, clock);
    app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store, clock });
    const { clients } = store;
    const local = (await clients.create({ role: 'local_team', organisation: 'wt-noord', region: 'R01', name: 'WT' }, clock.now())).token;
    const expert = (await clients.create({ role: 'expert_team', organisation: 'ret', region: 'R01', name: 'RET' }, clock.now())).token;
    const call = (token: string, url: string, payload: object) =>
      app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < CASES; i++) {
      const base = submission();
      const res = await call(local, '/api/v1/cases', submission({
        subject: { ...base.subject, reference: referenceOf(i) },
        requestForHelp: { ...base.requestForHelp, summary: questionOf(i) },
      }));
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id as string);
    }
    for (const type of PATH_TO.follow_up!) {
      for (const id of ids) {
        const res = await call(expert, `/api/v1/cases/${id}/events`, events[type as EventType]());
        expect(res.statusCode, res.body).toBe(200);
      }
    }
  }, 120_000);
  afterAll(async () => {
    fixtureClock.now = previousFixtureClock;
    await app?.close();
    await t?.drop();
  });

  it('leaves none of the erased cases\' words in any data file, and keeps the others', async () => {
    const before = await dataFiles();
    // The words are there to be found before (not only inside compressed TOAST values).
    expect(ERASED.filter((i) => !before.includes(referenceOf(i)))).toEqual([]);
    for (const i of ERASED) {
      await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'retention', 'erase', ids[i]!], {
        cwd: ROOT, env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' }, timeout: 60_000,
      });
    }
    const after = await dataFiles();
    expect(ERASED.flatMap((i) => [referenceOf(i), questionOf(i)]).filter((word) => after.includes(word))).toEqual([]);
    const kept = ids.map((_, i) => i).filter((i) => !ERASED.includes(i));
    expect(kept.filter((i) => !after.includes(referenceOf(i)))).toEqual([]);
  }, 120_000);
});
