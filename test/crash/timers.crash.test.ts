/**
 * Durable timers across kill -9 of the real service (issue 3, DESIGN §4): the service runs as a
 * child process on its own database file, with the triage deadline of region R01 set to seconds;
 * it is killed with SIGKILL while cases are being submitted and their deadlines fire, and again
 * while it is in the middle of firing a large backlog after downtime. After each restart the
 * database shows every triage deadline passed exactly once, every acknowledged case kept, every
 * version equal to the number of the case's trail entries, and a further restart fires nothing.
 */
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { submission } from '../support/fixtures.ts';
import {
  cli,
  createToken,
  kill9,
  killAll,
  readOnly,
  type ServiceProcess,
  sleep,
  startService,
  tempDatabase,
  trace,
  until,
  waitHealthy,
  withReadOnly,
} from './harness.ts';

const REGION = 'R01';
const API = '/api/v1';
/** Cases (so triage timers) that fall due while the service is down. */
const BACKLOG = 1_100;

afterAll(async () => {
  await killAll();
});

// ---------------------------------------------------------------------------------------------
// Talking to the service over HTTP
// ---------------------------------------------------------------------------------------------

interface Submitter {
  /** Ids of the cases the service acknowledged with 201. */
  acknowledged: string[];
  /** Answers other than 201 (there must be none). */
  unexpected: string[];
  /** Requests that got no answer (the service was killed under them). */
  unanswered: number;
  stop(): void;
  done: Promise<void>;
}

/**
 * Submits cases with `concurrency` requests in flight until stopped, `max` are acknowledged, or
 * the service stops answering.
 */
function submitCases(service: ServiceProcess, token: string, max: number, concurrency = 12): Submitter {
  let stopped = false;
  const state = { acknowledged: [] as string[], unexpected: [] as string[], unanswered: 0 };
  let started = 0;
  async function worker(): Promise<void> {
    while (!stopped && started < max) {
      started += 1;
      let res: Response;
      try {
        res = await fetch(`${service.url}${API}/cases`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(submission()),
          signal: AbortSignal.timeout(10_000),
        });
      } catch {
        state.unanswered += 1;
        return; // killed: no answer, so nothing was acknowledged
      }
      let body: { id?: string };
      try {
        body = await res.json() as { id?: string };
      } catch {
        state.unanswered += 1; // the connection broke before the whole answer arrived
        return;
      }
      if (res.status === 201 && typeof body.id === 'string'
        && res.headers.get('location') === `${API}/cases/${body.id}`) {
        state.acknowledged.push(body.id);
      } else {
        state.unexpected.push(`${res.status} ${JSON.stringify(body)}`);
      }
    }
  }
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  return Object.assign(state, { stop: () => { stopped = true; }, done });
}

async function getJson(service: ServiceProcess, token: string, path: string): Promise<unknown> {
  const res = await fetch(`${service.url}${API}${path}`, {
    headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, `GET ${path}`).toBe(200);
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// Reading the database (read-only, the service may be running or dead)
// ---------------------------------------------------------------------------------------------

interface TimerCounts { total: number; pending: number; fired: number; cancelled: number; pendingDue: number }

function timerCounts(db: Database.Database): TimerCounts {
  const now = new Date().toISOString();
  return db.prepare(`SELECT count(*) AS total,
      coalesce(sum(status = 'pending'), 0) AS pending,
      coalesce(sum(status = 'fired'), 0) AS fired,
      coalesce(sum(status = 'cancelled'), 0) AS cancelled,
      coalesce(sum(status = 'pending' AND due_at <= ?), 0) AS pendingDue
    FROM timers`).get(now) as TimerCounts;
}

const latestDueAt = (db: Database.Database): string | null =>
  (db.prepare('SELECT max(due_at) AS due FROM timers').get() as { due: string | null }).due;

/** Everything that must not move once all deadlines have passed. */
function fingerprint(db: Database.Database) {
  return db.prepare(`SELECT
      (SELECT count(*) FROM cases) AS cases,
      (SELECT sum(version) FROM cases) AS versions,
      (SELECT count(*) FROM case_events) AS events,
      (SELECT max(seq) FROM case_events) AS lastEventSeq,
      (SELECT count(*) FROM case_events WHERE type = 'DEADLINE_PASSED') AS deadlinesPassed,
      (SELECT count(*) FROM timers) AS timers,
      (SELECT count(*) FROM timers WHERE status = 'fired') AS fired,
      (SELECT count(*) FROM outbox) AS notifications`).get();
}

/**
 * The invariants after the scheduler caught up, one line per violation (so a failure names the
 * cases). Every case: still `submitted` (a deadline never changes the lifecycle state), overdue,
 * version = its number of trail entries with versions 1..n, exactly one triage timer and it is
 * fired, exactly one DEADLINE_PASSED entry (system actor, triage, the timer's due time, not
 * before it), and exactly one deadline_passed and one state_changed notification.
 */
function violations(db: Database.Database, acknowledged: string[]): string[] {
  const problems: string[] = [];
  const cases = db.prepare('SELECT id, state, version, overdue, region FROM cases').all() as
    { id: string; state: string; version: number; overdue: number; region: string }[];
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const id of acknowledged) if (!byId.has(id)) problems.push(`acknowledged case ${id} is lost`);

  const events = new Map<string, { count: number; min: number; max: number }>();
  for (const row of db.prepare(`SELECT case_id AS caseId, count(*) AS count, min(version) AS min,
      max(version) AS max FROM case_events GROUP BY case_id`).all() as
    { caseId: string; count: number; min: number; max: number }[]) events.set(row.caseId, row);

  const passed = new Map<string, { payload: string; at: string; actorRole: string; actorName: string;
    actorOrganisation: string | null; state: string }[]>();
  for (const row of db.prepare(`SELECT case_id AS caseId, payload, at, actor_role AS actorRole,
      actor_name AS actorName, actor_organisation AS actorOrganisation, state
      FROM case_events WHERE type = 'DEADLINE_PASSED'`).all() as
    { caseId: string; payload: string; at: string; actorRole: string; actorName: string;
      actorOrganisation: string | null; state: string }[]) {
    passed.set(row.caseId, [...(passed.get(row.caseId) ?? []), row]);
  }

  const timers = new Map<string, { name: string; status: string; dueAt: string }[]>();
  for (const row of db.prepare('SELECT case_id AS caseId, name, status, due_at AS dueAt FROM timers')
    .all() as { caseId: string; name: string; status: string; dueAt: string }[]) {
    timers.set(row.caseId, [...(timers.get(row.caseId) ?? []), row]);
  }

  const notes = new Map<string, Record<string, number>>();
  for (const row of db.prepare(`SELECT case_id AS caseId, kind, count(*) AS n FROM outbox
      GROUP BY case_id, kind`).all() as { caseId: string; kind: string; n: number }[]) {
    notes.set(row.caseId, { ...notes.get(row.caseId), [row.kind]: row.n });
  }

  for (const c of cases) {
    const e = events.get(c.id);
    if (!e || e.count !== c.version || e.min !== 1 || e.max !== c.version) {
      problems.push(`${c.id}: version ${c.version} but events ${JSON.stringify(e)}`);
    }
    if (c.state !== 'submitted') problems.push(`${c.id}: state ${c.state}, a deadline changed the lifecycle`);
    if (c.overdue !== 1) problems.push(`${c.id}: not overdue`);
    const triageTimers = (timers.get(c.id) ?? []).filter((t) => t.name === 'triage');
    if (triageTimers.length !== 1 || triageTimers[0]?.status !== 'fired') {
      problems.push(`${c.id}: triage timers ${JSON.stringify(triageTimers)}`);
    }
    const entries = passed.get(c.id) ?? [];
    if (entries.length !== 1) problems.push(`${c.id}: ${entries.length} DEADLINE_PASSED entries`);
    for (const entry of entries) {
      const payload = JSON.parse(entry.payload) as { deadline?: string; dueAt?: string };
      if (payload.deadline !== 'triage' || payload.dueAt !== triageTimers[0]?.dueAt) {
        problems.push(`${c.id}: DEADLINE_PASSED payload ${entry.payload}`);
      }
      if (entry.actorRole !== 'system' || entry.actorName !== 'scheduler' || entry.actorOrganisation !== null) {
        problems.push(`${c.id}: DEADLINE_PASSED by ${entry.actorRole}/${entry.actorName}`);
      }
      if (payload.dueAt !== undefined && Date.parse(entry.at) < Date.parse(payload.dueAt)) {
        problems.push(`${c.id}: fired at ${entry.at}, before its due time ${payload.dueAt}`);
      }
      if (entry.state !== 'submitted') problems.push(`${c.id}: DEADLINE_PASSED left state ${entry.state}`);
    }
    const n = notes.get(c.id) ?? {};
    if (n.deadline_passed !== 1 || n.state_changed !== 1) {
      problems.push(`${c.id}: notifications ${JSON.stringify(n)}`);
    }
  }
  const orphanTimers = [...timers.keys()].filter((id) => !byId.has(id));
  if (orphanTimers.length > 0) problems.push(`timers of unknown cases: ${orphanTimers.join(', ')}`);
  return problems;
}

/** Sleeps until every armed timer is due (plus a margin). */
async function untilAllDue(path: string): Promise<void> {
  const due = withReadOnly(path, latestDueAt);
  if (due !== null) await sleep(Math.max(0, Date.parse(due) - Date.now()) + 100);
}

/** Polls the database until no timer is pending (every one settled). */
async function untilCaughtUp(path: string, expectedTimers: number, timeoutMs = 20_000): Promise<void> {
  const db = readOnly(path);
  try {
    await until(() => {
      const counts = timerCounts(db);
      return counts.pending === 0 && counts.total === expectedTimers;
    }, `the scheduler to settle ${expectedTimers} timers`, timeoutMs, 25);
  } finally {
    db.close();
  }
}

/** Starts the service once more, gives it many scheduler rounds, and shows that nothing moved. */
async function expectRestartFiresNothing(path: string): Promise<void> {
  const before = withReadOnly(path, fingerprint);
  const service = await startService(path);
  try {
    await waitHealthy(service);
    await sleep(600); // > 10 rounds of SCHEDULER_INTERVAL_MS=50, the first one at start-up
  } finally {
    await kill9(service);
  }
  expect(withReadOnly(path, fingerprint)).toEqual(before);
  expect(withReadOnly(path, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  trace('a further restart fired nothing');
}

// ---------------------------------------------------------------------------------------------

describe('durable timers survive kill -9 of the real service', () => {
  it('kill -9 while cases are being submitted and their triage deadlines fire: every acknowledged case is kept, every deadline passes exactly once after the restart', async () => {
    const database = tempDatabase('submit');
    try {
      // The real command line, as a person trying the deadlines out would use it.
      const shown = JSON.parse(await cli(database.path, ['region', 'set', REGION, '--triage', 'PT1S'])) as
        { deadlines: { triage: string } };
      expect(shown.deadlines.triage).toBe('PT1S');
      const [localTeam, expertTeam] = await Promise.all([
        createToken(database.path, 'local_team', 'wt-noord', REGION),
        createToken(database.path, 'expert_team', 'ret-r01', REGION),
      ]);

      trace('submit: region set and tokens created');
      const first = await startService(database.path);
      await waitHealthy(first);
      trace('submit: first service healthy');
      const submitter = submitCases(first, localTeam, 1_000);
      // Kill once a good number of cases is acknowledged AND the scheduler has started firing
      // their deadlines, while submissions are still in flight.
      const db = readOnly(database.path);
      let atKill: TimerCounts;
      try {
        await until(() => submitter.acknowledged.length >= 400 && timerCounts(db).fired > 0,
          'acknowledged cases and the first fired deadlines', 20_000, 5);
        await kill9(first);
        submitter.stop();
        await submitter.done;
        atKill = timerCounts(db);
        trace(`submit: killed with ${submitter.acknowledged.length} acknowledged, ${JSON.stringify(atKill)}`);
      } finally {
        db.close();
      }
      expect(submitter.unexpected).toEqual([]);
      // The kill landed while deadlines were firing: some passed, some still pending.
      expect(atKill.fired, JSON.stringify(atKill)).toBeGreaterThan(0);
      expect(atKill.pending, JSON.stringify(atKill)).toBeGreaterThan(0);
      const acknowledged = submitter.acknowledged;
      const inDatabase = withReadOnly(database.path, (d) =>
        new Set((d.prepare('SELECT id FROM cases').all() as { id: string }[]).map((r) => r.id)));
      expect(acknowledged.filter((id) => !inDatabase.has(id)), 'acknowledged cases lost by the kill').toEqual([]);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);

      // Down until every deadline fell due; then start again and let the scheduler catch up.
      await untilAllDue(database.path);
      const second = await startService(database.path);
      try {
        await untilCaughtUp(database.path, inDatabase.size);
        trace('submit: second service caught up');
        await waitHealthy(second);
        const problems = withReadOnly(database.path, (d) => violations(d, acknowledged));
        expect(problems.slice(0, 20), `${problems.length} violations`).toEqual([]);
        expect(withReadOnly(database.path, timerCounts))
          .toMatchObject({ total: inDatabase.size, fired: inDatabase.size, pending: 0, cancelled: 0 });

        // The same through the API: the trail and the overdue list of the expert team.
        for (const id of acknowledged.slice(0, 10)) {
          const trail = await getJson(second, expertTeam, `/cases/${id}/trail`) as
            { entries: { type: string; version: number; actor: unknown; payload: { deadline?: string } }[] };
          const passed = trail.entries.filter((e) => e.type === 'DEADLINE_PASSED');
          expect(passed).toHaveLength(1);
          expect(passed[0]?.actor).toEqual({ role: 'system', organisation: null, name: 'scheduler' });
          expect(passed[0]?.payload.deadline).toBe('triage');
          expect(trail.entries.map((e) => e.version)).toEqual([1, 2]);
          const view = await getJson(second, expertTeam, `/cases/${id}`) as
            { state: string; version: number; overdue: boolean; overdueDeadlines?: { name: string }[] };
          expect(view).toMatchObject({ state: 'submitted', version: 2, overdue: true });
          expect(view.overdueDeadlines?.map((d) => d.name)).toEqual(['triage']);
        }
        const overdue: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await getJson(second, expertTeam,
            `/cases?overdue=true&limit=100${cursor ? `&cursor=${cursor}` : ''}`) as
            { items: { id: string }[]; nextCursor: string | null };
          overdue.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(new Set(overdue)).toEqual(inDatabase);
        trace('submit: checked database and API');
      } finally {
        await kill9(second);
      }

      await expectRestartFiresNothing(database.path);
    } finally {
      await killAll();
      database.dispose();
    }
  }, 60_000);

  it('kill -9 in the middle of firing a large backlog after downtime, twice: each timer still fires exactly once', async () => {
    const database = tempDatabase('backlog');
    try {
      await cli(database.path, ['region', 'set', REGION, '--triage', 'PT1S']);
      const localTeam = await createToken(database.path, 'local_team', 'wt-noord', REGION);

      // The first run takes submissions with its scheduler loop off (SCHEDULER_INTERVAL_MS=0),
      // so that every deadline falls due while no scheduler runs; then it is killed. (It syncs
      // with NORMAL only to submit faster; the runs killed mid-backlog use the default FULL.)
      const intake = await startService(database.path, { SCHEDULER_INTERVAL_MS: '0', SQLITE_SYNCHRONOUS: 'NORMAL' });
      let acknowledged: string[];
      try {
        await waitHealthy(intake);
        const submitter = submitCases(intake, localTeam, BACKLOG, 16);
        await submitter.done;
        expect(submitter.unexpected).toEqual([]);
        expect(submitter.unanswered).toBe(0);
        acknowledged = submitter.acknowledged;
        expect(acknowledged).toHaveLength(BACKLOG);
        trace('backlog: cases submitted');
      } finally {
        await kill9(intake);
      }
      const total = acknowledged.length;
      expect(withReadOnly(database.path, timerCounts)).toMatchObject({ total, pending: total, fired: 0 });
      await untilAllDue(database.path);
      expect(withReadOnly(database.path, timerCounts)).toMatchObject({ pending: total, pendingDue: total });

      // Start it with the backlog due; kill -9 it as soon as the first-round backlog is partly
      // fired: at about a third, then (second restart) at about two thirds.
      const firedAtKill: number[] = [];
      for (const fraction of [1 / 3, 2 / 3]) {
        const db = readOnly(database.path);
        const service = await startService(database.path);
        try {
          const target = Math.floor(total * fraction);
          const firedBefore = timerCounts(db).fired;
          await until(() => timerCounts(db).fired > firedBefore, 'the first timer fired after the restart', 20_000, 2);
          // Firing has begun: watch it without yielding, so the kill lands close to the target.
          const deadline = Date.now() + 20_000;
          while (timerCounts(db).fired < target && Date.now() < deadline) { /* busy-wait */ }
          service.child.kill('SIGKILL');
          await kill9(service);
          firedAtKill.push(timerCounts(db).fired);
          trace(`backlog: killed at ${firedAtKill.at(-1)} fired`);
        } finally {
          await kill9(service);
          db.close();
        }
      }
      // Both kills landed in the middle of the backlog, not after it.
      expect(firedAtKill[0], `fired at the kills: ${firedAtKill.join(', ')}`).toBeGreaterThan(0);
      expect(firedAtKill[1]).toBeGreaterThan(firedAtKill[0] ?? 0);
      expect(firedAtKill[1]).toBeLessThan(total);

      // Whatever was fired before each kill is fired exactly once so far.
      const partial = withReadOnly(database.path, (d) => d.prepare(`SELECT
          (SELECT count(*) FROM timers WHERE status = 'fired') AS fired,
          (SELECT count(*) FROM case_events WHERE type = 'DEADLINE_PASSED') AS passed,
          (SELECT count(*) FROM (SELECT case_id FROM case_events WHERE type = 'DEADLINE_PASSED'
            GROUP BY case_id HAVING count(*) > 1)) AS doubled`).get()) as
        { fired: number; passed: number; doubled: number };
      expect(partial.passed).toBe(partial.fired);
      expect(partial.doubled).toBe(0);

      const last = await startService(database.path);
      try {
        await untilCaughtUp(database.path, total);
        trace('backlog: caught up');
        await waitHealthy(last);
      } finally {
        await kill9(last);
      }
      const problems = withReadOnly(database.path, (d) => violations(d, acknowledged));
      expect(problems.slice(0, 20), `${problems.length} violations`).toEqual([]);
      expect(withReadOnly(database.path, timerCounts))
        .toMatchObject({ total, fired: total, pending: 0, cancelled: 0 });

      await expectRestartFiresNothing(database.path);
    } finally {
      await killAll();
      database.dispose();
    }
  }, 60_000);
});
