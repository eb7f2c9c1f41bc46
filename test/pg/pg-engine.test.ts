/**
 * The engine on PostgreSQL (issue 11, DESIGN §5.5): the same decisions and the same writes as on
 * SQLite, and the guarantees across instances sharing one database. Each "instance" is an engine
 * with its own connection pool, as two processes would have.
 *
 * - parity: one scripted lifecycle (with a deadline caught up, a note, every refusal class) gives the
 *   same states, versions, trail, timers, notifications and audit actions on both stores;
 * - one winner per race: 50 simultaneous events with the same If-Match across two instances;
 * - every deadline fired once: 20 due timers fired by two instances at once, in several rounds;
 * - one answer per Idempotency-Key when two instances get the same first request at once;
 * - the audit verifies on PostgreSQL afterwards, both chains.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/client.ts';
import { openPostgres, type PgDb } from '../../src/store/postgres/client.ts';
import { verifyPostgres } from '../../src/store/postgres/verifier.ts';
import { caseEngine } from '../../src/store/sqlite/engine.ts';
import { ManualClock } from '../../src/clock.ts';
import { AppError } from '../../src/errors.ts';
import { pgCaseEngine } from '../../src/store/postgres/engine.ts';
import { auditTrail } from '../../src/store/sqlite/audit.ts';
import { events, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';
import type { Actor } from '../../src/auth/actors.ts';

const actor = (role: Actor['role'], organisation: string): Actor =>
  ({ clientId: `c-${role}-${organisation}`, role, organisation, region: 'R01', name: `${role} ${organisation}` });
const local = actor('local_team', 'wt-noord');
const expert = actor('expert_team', 'ret-r01');
const otherLocal = actor('local_team', 'wt-zuid');
const inspector = actor('inspector', 'igj');
const HOUR = 3600_000;

/** What a request came to: the view's state and version, or the refusal's code. */
async function outcome(run: () => unknown): Promise<string> {
  try {
    const view = await run() as { state: string; version: number };
    return `${view.state}@${view.version}`;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** The stored rows that must agree across stores, without ids the stores make up themselves. */
async function storedRows(query: (text: string) => Promise<Record<string, unknown>[]>) {
  const idless = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
  return {
    cases: await query('SELECT state, version, overdue, municipality, facts, created_at, updated_at FROM cases ORDER BY seq'),
    trail: (await query('SELECT version, type, at, actor_role, actor_name, payload, state FROM case_events ORDER BY seq'))
      .map((r): Record<string, unknown> => ({ ...r, payload: idless(String(r.payload)) })),
    timers: await query('SELECT name, due_at, status, armed_at, settled_at FROM timers ORDER BY seq'),
    outbox: (await query('SELECT kind, payload, created_at FROM outbox ORDER BY seq'))
      .map((r) => ({ ...r, payload: idless(String(r.payload)) })),
    audit: await query('SELECT seq, action, case_seq, event_type, from_state, to_state, at FROM audit_log ORDER BY seq'),
  };
}

describe.skipIf(!pgUrl)('the engine on PostgreSQL', () => {
  let t: PgTestDatabase;
  let second: PgDb;
  beforeAll(async () => {
    t = await freshPgDatabase();
    second = await openPostgres(t.url);
  });
  afterAll(async () => {
    await second?.$client.end();
    await t?.drop();
  });

  it('decides and writes as the SQLite engine does, refusals included', async () => {
    const script = async (engine: {
      submit: (a: Actor, b: unknown, k?: string) => unknown;
      applyEvent: (a: Actor, r: { caseId: string; body: unknown; ifMatch?: string; idempotencyKey?: string }) => unknown;
      fireDueTimers: () => unknown;
    }, clock: ManualClock) => {
      const seen: string[] = [];
      const first = await engine.submit(local, submission(), 'key-1') as { id: string };
      const again = await engine.submit(local, submission(), 'key-1') as { id: string };
      seen.push(again.id === first.id ? 'same answer' : 'another case');
      seen.push(await outcome(() => engine.submit(local, submission({ urgency: 'urgent' }), 'key-1')));
      const id = first.id;
      const send = (who: Actor, body: unknown, ifMatch?: string) => engine.applyEvent(who, { caseId: id, body, ifMatch });
      seen.push(await outcome(() => send(expert, { type: 'NO_SUCH' })));
      seen.push(await outcome(() => send(inspector, events.START_TRIAGE())));
      seen.push(await outcome(() => send(otherLocal, events.ADD_NOTE())));
      seen.push(await outcome(() => send(expert, events.START_TRIAGE(), '"7"')));
      seen.push(await outcome(() => send(expert, events.CLOSE())));
      seen.push(await outcome(() => send(expert, events.ADD_NOTE({ text: 'Eerste notitie' }))));
      // The triage deadline passes unfired: the next event records it first.
      clock.advance(30 * 24 * HOUR);
      seen.push(await outcome(() => send(expert, events.START_TRIAGE(), '"2"')));
      seen.push(await outcome(() => send(expert, events.START_TRIAGE())));
      clock.advance(HOUR);
      const accepted = await send(expert, events.ACCEPT()) as { state: string; version: number };
      seen.push(`${accepted.state}@${accepted.version}`);
      const second = await engine.submit(local, submission()) as { id: string };
      clock.advance(30 * 24 * HOUR);
      await engine.fireDueTimers();
      seen.push(await outcome(() => engine.applyEvent(expert, { caseId: second.id, body: events.ADD_NOTE() })));
      return seen;
    };
    const start = '2026-03-02T09:00:00.000Z';
    const liteClock = new ManualClock(start);
    const pgClock = new ManualClock(start);
    const lite = openDatabase(':memory:');
    // The region's own overleg deadline (not the default P14D): both engines must read it per event.
    const region = `INSERT INTO regions (id, bridging_threshold_weeks, overleg, updated_at)
      VALUES ('R01', 0, 'P3D', '2026-03-01T00:00:00.000Z')`;
    lite.$client.exec(region);
    await t.db.$client.query(region);
    const seenLite = await script(caseEngine(lite, liteClock) as never, liteClock);
    const seenPg = await script(pgCaseEngine(t.db, pgClock) as never, pgClock);
    expect(seenLite[0]).toBe('same answer');
    expect(seenPg).toEqual(seenLite);
    expect(seenPg).toEqual(expect.arrayContaining(['IDEMPOTENCY_KEY_REUSED', 'VALIDATION_FAILED', 'FORBIDDEN',
      'NOT_FOUND', 'VERSION_MISMATCH', 'EVENT_NOT_ALLOWED']));
    const rowsLite = await storedRows(async (text) => lite.$client.prepare(text).all() as Record<string, unknown>[]);
    const rowsPg = await storedRows(async (text) => (await t.db.$client.query(text)).rows);
    expect(rowsPg).toEqual(rowsLite);
    expect(rowsPg.trail.map((r) => r.type)).toContain('DEADLINE_PASSED');
    const overleg = rowsPg.timers.find((r) => r.name === 'overleg')!;
    expect(Date.parse(String(overleg.due_at)) - Date.parse(String(overleg.armed_at))).toBe(3 * 24 * HOUR);
    expect(auditTrail(lite).verify().ok).toBe(true);
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
    lite.$client.close();
  });

  it('gives one winner to 50 simultaneous events with the same If-Match across two instances', async () => {
    const clock = new ManualClock('2026-04-01T09:00:00Z');
    const a = pgCaseEngine(t.db, clock);
    const b = pgCaseEngine(second, clock);
    const { id, version } = await a.submit(local, submission());
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      outcome(() => (i % 2 ? a : b).applyEvent(expert, { caseId: id, body: events.ADD_NOTE({ text: `n${i}` }), ifMatch: `"${version}"` }))));
    expect(results.filter((r) => r === `submitted@${version + 1}`)).toHaveLength(1);
    expect(results.filter((r) => r === 'VERSION_MISMATCH')).toHaveLength(49);
    // Without If-Match every event is applied, one after the other.
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).applyEvent(expert, { caseId: id, body: events.ADD_NOTE({ text: `m${i}` }) })));
    expect(all.map((v) => v.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => version + 2 + i));
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
  });

  it('fires each of 20 due deadlines once when two instances fire at the same time', async () => {
    const clock = new ManualClock('2026-05-01T09:00:00Z');
    const a = pgCaseEngine(t.db, clock);
    const b = pgCaseEngine(second, clock);
    // The deadlines of the cases before this test have passed too: out of the way first.
    await a.fireDueTimers();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await a.submit(local, submission())).id);
    clock.advance(30 * 24 * HOUR);
    let fired = 0;
    for (let round = 0; round < 3; round++) {
      const runs = await Promise.all([a.fireDueTimers(), b.fireDueTimers(), a.fireDueTimers(), b.fireDueTimers()]);
      fired += runs.reduce((n, r) => n + r.fired, 0);
    }
    expect(fired).toBe(20);
    const { rows } = await t.db.$client.query(`SELECT case_id, count(*)::int AS n FROM case_events
      WHERE type = 'DEADLINE_PASSED' AND case_id = ANY($1) GROUP BY case_id`, [ids]);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const pending = await t.db.$client.query(`SELECT count(*)::int AS n FROM timers WHERE case_id = ANY($1) AND status = 'pending'
      AND due_at <= $2`, [ids, clock.now().toISOString()]);
    expect(pending.rows[0].n).toBe(0);
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
  });

  it('answers one Idempotency-Key sent to two instances at once with one case', async () => {
    const clock = new ManualClock('2026-06-01T09:00:00Z');
    const a = pgCaseEngine(t.db, clock);
    const b = pgCaseEngine(second, clock);
    const views = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).submit(local, submission(), 'race-key')));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    const { rows } = await t.db.$client.query('SELECT count(*)::int AS n FROM cases WHERE created_at = $1',
      [clock.now().toISOString()]);
    expect(rows[0].n).toBe(1);
  });

  it('verifies the trail against the audit by case and version: a changed or an extra trail row is found', async () => {
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
    const q = (text: string, values: unknown[] = []) => t.db.$client.query(text, values);
    const { rows: [target] } = await q(`SELECT a.seq, a.case_id, a.case_seq FROM audit_log a
      WHERE a.case_id IS NOT NULL ORDER BY a.seq DESC LIMIT 1 OFFSET 5`);
    // Only a superuser who switches the append-only trigger off can do this; the check still tells.
    await q('ALTER TABLE case_events DISABLE TRIGGER case_events_no_update');
    await q('UPDATE case_events SET state = \'closed\' WHERE case_id = $1 AND version = $2', [target.case_id, target.case_seq]);
    const changed = (await verifyPostgres(t.db)).result;
    expect(changed).toMatchObject({ ok: false, firstBroken: { seq: target.seq } });
    expect(changed.firstBroken?.reason).toMatch(/case trail/);
    await q(`UPDATE case_events SET state = (SELECT to_state FROM audit_log WHERE seq = $1)
      WHERE case_id = $2 AND version = $3`, [target.seq, target.case_id, target.case_seq]);
    await q('ALTER TABLE case_events ENABLE TRIGGER case_events_no_update');
    expect((await verifyPostgres(t.db)).result.ok).toBe(true);
    await q(`INSERT INTO case_events (case_id, version, type, at, actor_role, actor_name, payload, state)
      VALUES ($1, 9999, 'ADD_NOTE', '2026-01-01T00:00:00.000Z', 'expert_team', 'x', '{}', 'triage')`, [target.case_id]);
    const extra = (await verifyPostgres(t.db)).result;
    expect(extra.ok).toBe(false);
    expect(extra.firstBroken?.reason).toBe('the case trail has an entry the audit trail has not');
  });
});
