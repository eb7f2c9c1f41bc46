/**
 * Group commit (src/store/sqlite/group-commit.ts): the writes of one turn share one COMMIT, each in its own
 * savepoint; a refused write rolls back alone; a failed COMMIT takes the whole batch back and its
 * answers are 500; over HTTP, simultaneous requests share batches and no answer leaves before its
 * COMMIT. The kill -9 tests in test/crash run the real server, which commits in groups.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/client.ts';
import { buildApp } from '../../src/app.ts';
import { createClient } from '../../src/store/sqlite/clients.ts';
import { ManualClock } from '../../src/clock.ts';
import { DurabilityLost, groupCommit, walSyncer, type WalSync } from '../../src/store/sqlite/group-commit.ts';
import { sqliteStore, type SqliteStore } from '../../src/store/sqlite/store.ts';
import { servicesOf, type Services } from '../../src/services.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import type { Actor } from '../../src/auth/actors.ts';

/** The error a failing fdatasync gives. */
const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });

describe('groupCommit', () => {
  const open: Database.Database[] = [];
  afterEach(() => { for (const db of open.splice(0)) db.close(); });
  const database = () => {
    const db = new Database(':memory:');
    open.push(db);
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE t (x INTEGER NOT NULL);
      CREATE TABLE p (id INTEGER PRIMARY KEY);
      CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`);
    return db;
  };

  it('writes of one turn share one COMMIT, each in its own savepoint: a refused one rolls back alone', async () => {
    const db = database();
    const commits = groupCommit(db);
    const insert = db.transaction((x: number) => {
      db.prepare('INSERT INTO t (x) VALUES (?)').run(x);
      if (x === 2) throw new Error('refused');
    });
    commits.write(() => insert(1));
    expect(() => commits.write(() => insert(2))).toThrow('refused');
    commits.write(() => insert(3));
    expect(db.inTransaction).toBe(true);
    await commits.settled();
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 3]);
    expect(commits.stats()).toEqual({ batches: 1, writes: 3, syncs: 0, syncMs: null });
    // The next turn opens a new batch.
    commits.write(() => insert(4));
    await commits.settled();
    expect(commits.stats()).toEqual({ batches: 2, writes: 4, syncs: 0, syncMs: null });
  });

  it('a COMMIT that fails takes the whole batch back and rejects, and the next batch works', async () => {
    const db = database();
    const commits = groupCommit(db);
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    // A deferred foreign key is checked at COMMIT: this batch cannot commit.
    commits.write(() => db.prepare('INSERT INTO c (pid) VALUES (99)').run());
    await expect(commits.settled()).rejects.toThrow(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (2)').run());
    await commits.settled();
    expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual([2]);
  });

  it('leaves a transaction it did not open alone', () => {
    const db = database();
    const commits = groupCommit(db);
    db.transaction(() => {
      commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
      expect(commits.settled()).toBeUndefined();
    })();
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });
});

describe('groupCommit: the fsync off the event loop', () => {
  const dirs: string[] = [];
  const open: Database.Database[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  /** A WAL database file, as the service opens it. */
  const fileDatabase = (synchronous = 'FULL') => {
    const dir = mkdtempSync(join(tmpdir(), 'passend-gc-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'db.sqlite'));
    open.push(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
    return db;
  };
  /** A WAL sync the test lets finish (or fail) when it wants. */
  const heldSync = () => {
    const calls: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const syncWal = () => new Promise<void>((resolve, reject) => { calls.push({ resolve, reject }); });
    return { calls, syncWal };
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('commits a batch without syncing, answers only after the WAL is synced, and runs the next batch meanwhile', async () => {
    const db = fileDatabase();
    const sync = heldSync();
    const commits = groupCommit(db, { syncWal: sync.syncWal });
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    // Inside the batch SQLite does not sync (NORMAL); outside it keeps FULL (2).
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    let firstDurable = false;
    void commits.settled()!.then(() => { firstDurable = true; });
    await turn();
    expect(db.inTransaction).toBe(false);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(sync.calls).toHaveLength(1);
    // Committed but not yet synced: nothing that could show it may be answered yet.
    const waiting = commits.settled();
    expect(waiting).toBeDefined();
    // The next batch runs while the first is being synced; its own sync starts after that one.
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (2)').run());
    await turn();
    expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 2]);
    expect(sync.calls).toHaveLength(1);
    expect(firstDurable).toBe(false);
    sync.calls[0]!.resolve();
    await turn();
    expect(firstDurable).toBe(true);
    expect(sync.calls).toHaveLength(2);
    // Still waiting for the second batch's sync.
    let allDurable = false;
    void commits.settled()!.then(() => { allDurable = true; });
    await turn();
    expect(allDurable).toBe(false);
    sync.calls[1]!.resolve();
    await waiting;
    await turn();
    expect(allDurable).toBe(true);
    expect(commits.settled()).toBeUndefined();
  });

  it('batches committed while a sync runs share the next sync, begun after that one', async () => {
    const db = fileDatabase();
    const sync = heldSync();
    const commits = groupCommit(db, { syncWal: sync.syncWal });
    const batch = async (x: number) => {
      commits.write(() => db.prepare('INSERT INTO t (x) VALUES (?)').run(x));
      const durable = commits.settled()!;
      let done = false;
      void durable.then(() => { done = true; });
      await turn();
      return { durable, done: () => done };
    };
    const first = await batch(1);
    const second = await batch(2);
    const third = await batch(3);
    // Three batches committed, one sync under way: the other two wait for the next.
    expect(commits.stats()).toMatchObject({ batches: 3, syncs: 0 });
    expect(sync.calls).toHaveLength(1);
    sync.calls[0]!.resolve();
    await first.durable;
    await turn();
    expect([first.done(), second.done(), third.done()]).toEqual([true, false, false]);
    expect(sync.calls).toHaveLength(2);
    sync.calls[1]!.resolve();
    await Promise.all([second.durable, third.durable]);
    expect(sync.calls).toHaveLength(2);
    const stats = commits.stats();
    expect(stats).toMatchObject({ batches: 3, writes: 3, syncs: 2 });
    expect(stats.syncMs).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
    expect(commits.settled()).toBeUndefined();
  });

  it('a failed sync fails its batch, the batches waiting for the next one and every later write', async () => {
    const db = fileDatabase();
    const sync = heldSync();
    const commits = groupCommit(db, { syncWal: sync.syncWal });
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    const first = commits.settled()!;
    await turn();
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (2)').run());
    const second = commits.settled()!;
    await turn();
    // A third batch is open (it commits on this turn's setImmediate) when the sync fails.
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (3)').run());
    sync.calls[0]!.reject(eio());
    await expect(first).rejects.toBeInstanceOf(DurabilityLost);
    await expect(second).rejects.toBeInstanceOf(DurabilityLost);
    // Only the third is left, still open: it is rolled back, and fails without a sync of its own.
    expect(db.inTransaction).toBe(true);
    const third = commits.settled()!;
    await expect(third).rejects.toBeInstanceOf(DurabilityLost);
    expect(sync.calls).toHaveLength(1);
    expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 2]);
    expect(commits.settled()).toBeUndefined();
    // Every later write is refused.
    expect(commits.lost()).toBeInstanceOf(DurabilityLost);
    expect(() => commits.write(() => db.prepare('INSERT INTO t (x) VALUES (4)').run())).toThrow(DurabilityLost);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2);
  });

  it('a sync that throws instead of rejecting fails its batch too, and the next write is refused', async () => {
    const db = fileDatabase();
    const commits = groupCommit(db, { syncWal: () => { throw eio(); } });
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    await expect(commits.settled()).rejects.toBeInstanceOf(DurabilityLost);
    expect(() => commits.write(() => db.prepare('INSERT INTO t (x) VALUES (2)').run())).toThrow(DurabilityLost);
  });

  it('a batch that cannot begin (the write lock is held elsewhere) leaves the sync level as it was', () => {
    const db = fileDatabase();
    db.pragma('busy_timeout = 0');
    const other = new Database(db.name);
    open.push(other);
    other.exec('BEGIN IMMEDIATE');
    const commits = groupCommit(db, { syncWal: heldSync().syncWal });
    expect(() => commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run())).toThrow(/locked|busy/i);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.inTransaction).toBe(false);
    other.exec('ROLLBACK');
  });

  it('with synchronous NORMAL or OFF chosen by the operator, nothing is synced', async () => {
    for (const level of ['NORMAL', 'OFF']) {
      const db = fileDatabase(level);
      const sync = heldSync();
      const commits = groupCommit(db, { syncWal: sync.syncWal });
      commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
      await commits.settled();
      expect(sync.calls).toHaveLength(0);
    }
  });

  it('the real sync fdatasyncs the -wal file beside the database', async () => {
    const db = fileDatabase();
    const commits = groupCommit(db);
    commits.write(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    await commits.settled();
    expect(commits.settled()).toBeUndefined();
    await commits.close();
    const sync = walSyncer(db.name);
    await sync();
    await sync();
    await sync.close!();
    // No -wal file (SQLite removes it after the last connection's closing checkpoint): nothing to sync.
    await expect(walSyncer(join(dirs[0]!, 'missing.sqlite'))()).resolves.toBeUndefined();
    // Any other failure to open it is a failure (here a path through the database file: ENOTDIR).
    await expect(walSyncer(join(db.name, 'x.sqlite'))()).rejects.toThrow(/ENOTDIR/);
  });
});

/**
 * The service's SQLite services on a file database with this WAL sync, a local team's actor, and
 * everything closed and removed afterwards (`beforeClose` first: a test that holds syncs lets go).
 */
async function withServices(syncWal: WalSync,
  body: (s: { db: ReturnType<typeof openDatabase>; clock: ManualClock; services: Services & { commits: SqliteStore['commits'] }; actor: Actor }) => Promise<void>,
  beforeClose: () => void = () => {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'passend-gc-services-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  const store = sqliteStore(db, clock, { syncWal });
  const services = Object.assign(servicesOf(store, clock), { commits: store.commits });
  try {
    const { actor } = createClient(db, { role: 'local_team', organisation: 'wijkteam-a', region: 'R01', name: 'a' }, clock.now());
    await body({ db, clock, services, actor });
  } finally {
    beforeClose();
    await store.close();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('group commit and the notifications', () => {
  it('a notification is not sent before the batch that wrote it is synced', async () => {
    const syncs: (() => void)[] = [];
    // Held until the test lets go; the deliverer's own writes (claim, skip) are batches too.
    let holding = true;
    let calls = 0;
    const syncWal = () => new Promise<void>((resolve) => { calls += 1; if (holding) syncs.push(resolve); else resolve(); });
    await withServices(syncWal, async ({ db, services, actor }) => {
      await services.engine.submit(actor, submission());
      await new Promise((resolve) => setImmediate(resolve));
      expect(syncs).toHaveLength(1);
      const pending = () => db.$client.prepare('SELECT count(*) FROM outbox WHERE status = \'pending\'').pluck().get();
      expect(pending()).toBe(1);
      let round: { skipped: number } | undefined;
      const delivery = services.deliverer.deliverDue().then((r) => { round = r; });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Committed, not yet on disk: not claimed, not sent (here: not skipped either).
      expect(round).toBeUndefined();
      expect(pending()).toBe(1);
      holding = false;
      syncs[0]!();
      await delivery;
      expect(round).toMatchObject({ skipped: 1 });
      expect(pending()).toBe(0);
      // The claim and the skip were batches, each synced before the deliverer went on (not a
      // COMMIT and an fsync each on the event loop).
      expect(calls).toBe(3);
      expect(db.$client.inTransaction).toBe(false);
    }, () => {
      holding = false;
      for (const sync of syncs) sync();
    });
  });
});

describe('group commit and the scheduler', () => {
  it('a round of due deadlines is one batch: one COMMIT and one sync, off the event loop, each deadline fired once', async () => {
    let syncs = 0;
    await withServices(async () => { syncs += 1; }, async ({ db, clock, services, actor }) => {
      for (let i = 0; i < 3; i++) await services.engine.submit(actor, submission());
      await services.commits!.settled();
      const before = syncs;
      clock.advance(30 * 86_400_000);
      const round = await services.engine.fireDueTimers();
      expect(round).toEqual({ settled: 3, fired: 3 });
      // Answered once its batch is committed and synced: one sync for the round.
      expect(db.$client.inTransaction).toBe(false);
      expect(syncs - before).toBe(1);
      expect(db.$client.prepare('SELECT count(*) FROM timers WHERE status = \'fired\'').pluck().get()).toBe(3);
      // An idle round changes nothing: committed without a sync.
      expect(await services.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
      expect(syncs - before).toBe(1);
    });
  });

  it('a round that cannot be made durable rejects, so the scheduler does not take its deadlines for settled and go round again', async () => {
    let failing = false;
    const syncWal = async () => { if (failing) throw eio(); };
    await withServices(syncWal, async ({ clock, services, actor }) => {
      await services.engine.submit(actor, submission());
      await services.commits!.settled();
      clock.advance(30 * 86_400_000);
      failing = true;
      await expect(services.engine.fireDueTimers()).rejects.toBeInstanceOf(DurabilityLost);
    });
  });
});

describe('group commit over HTTP', () => {
  let ctx: TestContext;
  afterEach(async () => { await ctx.close(); });

  it('a read is logged in a batch: its answer comes after the batch is synced, not after an fsync of its own', async () => {
    ctx = await createTestContext();
    const dir = mkdtempSync(join(tmpdir(), 'passend-gc-read-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    let syncs = 0;
    const store = sqliteStore(db, clock, { syncWal: async () => { syncs += 1; } });
    const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store, clock });
    try {
      const { token } = createClient(db, { role: 'local_team', organisation: 'wijkteam-a', region: 'R01', name: 'a' }, clock.now());
      const headers = { authorization: `Bearer ${token}` };
      const created = await app.inject({ method: 'POST', url: '/api/v1/cases', payload: submission(), headers });
      expect(created.statusCode).toBe(201);
      const before = syncs;
      const read = await app.inject({ url: `/api/v1/cases/${created.json<{ id: string }>().id}`, headers });
      expect(read.statusCode).toBe(200);
      expect(syncs - before).toBe(1);
      expect(db.$client.prepare('SELECT action, outcome FROM access_log').all()).toEqual([{ action: 'case.read', outcome: 'shown' }]);
      // A refused read is logged from a later onSend hook: it too is on disk before the answer leaves.
      const refused = await app.inject({ url: '/api/v1/cases/00000000-0000-4000-8000-000000000000', headers });
      expect(refused.statusCode).toBe(404);
      expect(db.$client.inTransaction).toBe(false);
      expect(syncs - before).toBe(2);
      expect(db.$client.prepare('SELECT outcome FROM access_log ORDER BY seq').pluck().all()).toEqual(['shown', 'refused']);
    } finally {
      await app.close();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on close, the service logs how many batches and WAL syncs it made and how long the syncs took', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passend-gc-log-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    const app = await buildApp({ config: { LOG_LEVEL: 'info' }, store: sqliteStore(db, clock, { logger }), clock, logger });
    try {
      const { token } = createClient(db, { role: 'local_team', organisation: 'wijkteam-a', region: 'R01', name: 'a' }, clock.now());
      const created = await app.inject({ method: 'POST', url: '/api/v1/cases', payload: submission(),
        headers: { authorization: `Bearer ${token}` } });
      expect(created.statusCode).toBe(201);
    } finally {
      await app.close();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'group commit');
    expect(logged).toHaveLength(1);
    const { batches, writes, syncs, syncMs } = logged[0] as { batches: number; writes: number; syncs: number;
      syncMs: { p50: number; p99: number; max: number } };
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncMs.p50).toBeGreaterThanOrEqual(0);
    expect(syncMs.max).toBeGreaterThanOrEqual(syncMs.p50);
  });

  it('a WAL sync that fails: the answer is 500, /health says unavailable, later writes are refused', async () => {
    ctx = await createTestContext();
    const dir = mkdtempSync(join(tmpdir(), 'passend-gc-app-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const store = sqliteStore(db, clock, {
      syncWal: () => Promise.reject(eio()),
    });
    const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store, clock });
    try {
      const { token } = createClient(db, { role: 'local_team', organisation: 'wijkteam-a', region: 'R01', name: 'a' }, clock.now());
      const post = () => app.inject({ method: 'POST', url: '/api/v1/cases', payload: submission(),
        headers: { authorization: `Bearer ${token}` } });
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
      const first = await post();
      expect(first.statusCode).toBe(500);
      expect(first.body).not.toContain('EIO');
      expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'unavailable' });
      expect((await post()).statusCode).toBe(500);
      // The first write was committed (the database holds it) but never acknowledged.
      expect(db.$client.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(1);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('simultaneous submissions share batches; each answer comes after its COMMIT', async () => {
    ctx = await createTestContext();
    const before = (ctx.app.store as SqliteStore).commits!.stats();
    const answers = await Promise.all(Array.from({ length: 30 }, () =>
      ctx.call(ctx.localTeam, { method: 'POST', url: '/api/v1/cases', payload: submission() }).then((res) => ({
        status: res.statusCode, id: res.json().id as string,
        // When the answer is read, nothing is left uncommitted.
        inTransaction: ctx.db.$client.inTransaction,
      }))));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(answers.every((a) => !a.inTransaction)).toBe(true);
    const after = (ctx.app.store as SqliteStore).commits!.stats();
    expect(after.writes - before.writes).toBe(30);
    expect(after.batches - before.batches).toBeLessThan(30);
  });

  it('one winner among simultaneous events on the same version, the others 412, in shared batches', async () => {
    ctx = await createTestContext();
    const id = await ctx.createCase();
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      ctx.send(ctx.expertTeam, id, events.ADD_NOTE(), { 'if-match': '"1"' })));
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const trail = await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/trail` });
    expect(trail.json().entries).toHaveLength(2);
  });
});
