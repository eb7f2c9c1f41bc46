/**
 * Erased means gone (issue 29): the outside attack found the reference, the question and the
 * payloads of erased cases still readable in the SQLite file, in the free space of b-tree pages
 * that earlier page splits left behind, and in every backup made later. This reproduces it as a
 * user would: 80 cases with distinctive references (enough for many page splits), four erased
 * with `retention erase` while the service runs, a backup made after, the service stopped cleanly;
 * then the raw bytes of the file, its WAL and the backup are searched. Twice in process: on a file
 * this version wrote (secure_delete on every connection), and on one an older version wrote without
 * it, whose free space already holds the words when the erasure comes (the rewrite after it reaches
 * those); and once against the real service process (its checkpoint and read threads included),
 * stopped with SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './support/app.ts';
import type { EventType } from '../machines/referral.schemas.ts';
import { events, fixtureClock, PATH_TO, submission } from './support/fixtures.ts';
import { createToken, killAll, startService, waitHealthy, type ServiceProcess } from './crash/harness.ts';
import { runCli, tempDir } from './audit/support.ts';
import { openSqlite } from '../src/store/sqlite/connection.ts';

const CASES = 80;
const ERASED = [7, 23, 41, 66];
/** Distinctive and not a prefix of one another: `Zq…` never occurs in anything else the app writes. */
const referenceOf = (i: number) => `Zq${String(i).padStart(3, '0')}-Wolkenkrabber`;
const questionOf = (i: number) => `Zq${String(i).padStart(3, '0')} Wij vragen ons af of Mees weer naar school kan`;

const bytesOf = (file: string) => (existsSync(file) ? readFileSync(file).toString('latin1') : '');

function erasureScenario(name: string, { writtenBefore }: { writtenBefore: boolean }) {
  describe(name, () => {
    const tmp = tempDir('passend-erasure-');
    const path = join(tmp.dir, 'passend.db');
    const backup = join(tmp.dir, 'after-erasure.db');
    let ctx: TestContext | undefined;

    beforeAll(async () => {
      ctx = await createTestContext({ path });
      // Version 2 opened its connections without secure_delete.
      if (writtenBefore) ctx.db.$client.pragma('secure_delete = OFF');
      const ids: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const base = submission();
        ids.push(await ctx.createCase(submission({
          subject: { ...base.subject, reference: referenceOf(i) },
          requestForHelp: { ...base.requestForHelp, summary: questionOf(i) },
        })));
      }
      // Then the cases move on side by side, as a region's work does: rows written earlier grow,
      // and pages split and move cells long after the words were first written.
      for (const type of PATH_TO.follow_up!) {
        for (const id of ids) {
          const res = await ctx.send(ctx.expertTeam, id, events[type as EventType]());
          expect(res.statusCode, res.body).toBe(200);
        }
      }
      // Before: every reference is in the file (so that absence afterwards means something).
      ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
      const before = bytesOf(path);
      for (let i = 0; i < CASES; i++) expect(before.includes(referenceOf(i)), referenceOf(i)).toBe(true);

      for (const i of ERASED) {
        const run = await runCli(path, 'retention', 'erase', ids[i]!, '--reference', `AP-besluit ${i}`);
        expect(run.code, run.stderr).toBe(0);
      }
      const made = await runCli(path, 'backup', backup);
      expect(made.code, made.stderr).toBe(0);
      // Stopped cleanly, as the service stops on SIGTERM.
      await ctx.close();
      ctx = undefined;
    }, 120_000);
    afterAll(async () => { await ctx?.close(); tmp.remove(); });

    const kept = Array.from({ length: CASES }, (_, i) => i).filter((i) => !ERASED.includes(i));
    for (const [where, file] of [['the database file', path], ['its WAL', `${path}-wal`], ['a backup made after', backup]] as const) {
      it(`leaves none of the four erased cases' words in ${where}`, () => {
        const bytes = bytesOf(file) + (file === backup ? bytesOf(`${backup}-wal`) : '');
        const found = ERASED.flatMap((i) => [referenceOf(i), questionOf(i)]).filter((word) => bytes.includes(word));
        expect(found).toEqual([]);
      });
    }

    it('keeps every other case\'s reference in the file and in the backup', () => {
      for (const file of [path, backup]) {
        const bytes = bytesOf(file);
        expect(kept.filter((i) => !bytes.includes(referenceOf(i))), file).toEqual([]);
      }
    });
  });
}

erasureScenario('retention erase on a file this version wrote, then a clean stop', { writtenBefore: false });
erasureScenario('retention erase on a file written before secure_delete, then a clean stop', { writtenBefore: true });

describe('the real service: 80 cases over HTTP, four erased with the CLI while it runs, SIGTERM', () => {
  const tmp = tempDir('passend-erasure-service-');
  const path = join(tmp.dir, 'passend.db');
  const backup = join(tmp.dir, 'after-erasure.db');
  const previousFixtureClock = fixtureClock.now;
  let service: ServiceProcess;

  beforeAll(async () => {
    // The service runs on the real clock: the fixtures' dates follow it.
    fixtureClock.now = () => new Date();
    service = await startService(path, { SCHEDULER_INTERVAL_MS: '1000' });
    await waitHealthy(service);
    const local = await createToken(path, 'local_team', 'wt-noord', 'R01');
    const expert = await createToken(path, 'expert_team', 'ret-r01', 'R01');
    const post = async (token: string, url: string, body: unknown) => {
      const res = await fetch(`${service.url}/api/v1${url}`, {
        method: 'POST', body: JSON.stringify(body),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      return { status: res.status, body: await res.json() as { id?: string } };
    };
    const ids: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const base = submission();
      const res = await post(local, '/cases', submission({
        subject: { ...base.subject, reference: referenceOf(i) },
        requestForHelp: { ...base.requestForHelp, summary: questionOf(i) },
      }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id!);
    }
    for (const type of PATH_TO.follow_up!) {
      for (const id of ids) {
        const res = await post(expert, `/cases/${id}/events`, events[type as EventType]());
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    }
    for (const i of ERASED) {
      const run = await runCli(path, 'retention', 'erase', ids[i]!);
      expect(run.code, run.stderr).toBe(0);
    }
    const made = await runCli(path, 'backup', backup);
    expect(made.code, made.stderr).toBe(0);
    service.child.kill('SIGTERM');
    const [code] = await once(service.child, 'exit') as [number | null];
    expect(code, service.output()).toBe(0);
  }, 180_000);
  afterAll(async () => {
    fixtureClock.now = previousFixtureClock;
    await killAll();
    tmp.remove();
  });

  it('leaves none of the four erased cases\' words in the file, its WAL or the backup, and every other reference', () => {
    const erasedWords = ERASED.flatMap((i) => [referenceOf(i), questionOf(i)]);
    for (const file of [path, `${path}-wal`, backup]) {
      const bytes = bytesOf(file);
      expect(erasedWords.filter((word) => bytes.includes(word)), file).toEqual([]);
    }
    const kept = Array.from({ length: CASES }, (_, i) => i).filter((i) => !ERASED.includes(i));
    for (const file of [path, backup]) {
      const bytes = bytesOf(file);
      expect(kept.filter((i) => !bytes.includes(referenceOf(i))), file).toEqual([]);
    }
  });
});

describe('a file an older version wrote, on the first start of this version', () => {
  const tmp = tempDir('passend-upgrade-');
  const path = join(tmp.dir, 'passend.db');
  const PURPOSE = 'Zq999 onderzoek naar de familie Wolkenkrabber';

  afterAll(async () => { await killAll(); tmp.remove(); });

  it('is rewritten once before the service serves, so that what older deletes left is gone', async () => {
    // Version 2: no secure_delete; an inspector's purpose, then the session deleted at sign-out.
    const ctx = await createTestContext({ path });
    ctx.db.$client.pragma('secure_delete = OFF');
    const people = ctx.app.services.people;
    const user = await people.create({ role: 'inspector', organisation: 'igj', region: 'R01', name: 'I', email: 'i@example.nl' },
      ctx.clock.now());
    const session = await ctx.app.services.sessions.create(user, ctx.clock.now());
    await ctx.app.services.sessions.setPurpose(session, PURPOSE);
    await ctx.app.services.sessions.end(session);
    await ctx.close();
    expect(bytesOf(path).includes(PURPOSE), 'the deleted purpose is still in the file before').toBe(true);

    const service = await startService(path);
    await waitHealthy(service);
    service.child.kill('SIGTERM');
    const [code] = await once(service.child, 'exit') as [number | null];
    expect(code, service.output()).toBe(0);
    expect(bytesOf(path).includes(PURPOSE)).toBe(false);
    const sqlite = openSqlite(path, { readonly: true });
    try {
      expect(sqlite.pragma('user_version', { simple: true })).toBe(1);
    } finally {
      sqlite.close();
    }
  }, 60_000);
});
