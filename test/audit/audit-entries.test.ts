/**
 * The audit entry of every write kind (issue 4): case_created (SUBMIT), event_applied (from-state →
 * to-state, machine version, payload), deadline_passed (the system as actor), token_created and
 * token_revoked (never the token or its hash). One entry per write, in the same transaction as the
 * write: a refused request adds none, and a write whose entry cannot be stored does not happen.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { createTestContext, STORE, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import { API, caseUrl, eventsUrl, payloadOf, trailUrl } from '../support/http.ts';
import { auditRowsOf, DAY, runCli, START, tempDir, toAuditRow, type AuditRow, type RawAuditRow } from './support.ts';
import { CLI_OPERATOR, hashToken, type Operator } from '../../src/auth/actors.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set(START); });

/** Every audit row, in seq order, on either store. */
const rows = async (): Promise<AuditRow[]> =>
  (await ctx.sql('SELECT * FROM audit_log ORDER BY seq') as RawAuditRow[]).map(toAuditRow);
const lastRow = async (): Promise<AuditRow> => (await rows()).at(-1)!;
const count = async (table: string): Promise<number> =>
  ((await ctx.sql(`SELECT count(*) AS n FROM ${table}`))[0] as { n: number }).n;
/** Everything a write touches, to show a refused request touched nothing. */
const footprint = async () => ({
  audit: await count('audit_log'), events: await count('case_events'), cases: await count('cases'),
  timers: await count('timers'), outbox: await count('outbox'), clients: await count('api_clients'),
  caseRows: JSON.stringify(await ctx.sql('SELECT * FROM cases ORDER BY seq')),
});

async function verifyOk(): Promise<void> {
  const res = await ctx.call(ctx.nationalInspector, { method: 'GET', url: `${API}/audit/verify` });
  expect(res.json()).toMatchObject({ ok: true, scope: '*', checked: (await rows()).length });
}

describe('case_created', () => {
  it('records the submission: actor with token id, SUBMIT, null → submitted, machine version, the payload', async () => {
    ctx.clock.set('2026-02-02T10:11:12.000Z');
    const body = submission();
    const res = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: body });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    const actor = await ctx.actorOf(ctx.localTeam);
    const entry = await lastRow();
    expect(entry).toMatchObject({
      at: '2026-02-02T10:11:12.000Z', action: 'case_created', caseId: id, caseSeq: 1,
      actorRole: 'local_team', actorOrganisation: 'wt-noord', actorName: actor.name, actorClientId: actor.clientId,
      onBehalfOf: null, eventType: 'SUBMIT', fromState: null, toState: 'submitted',
      machineVersion: REFERRAL_MACHINE_VERSION, prevCaseHash: '0'.repeat(64),
    });
    expect(JSON.parse(entry.payload)).toEqual(body);
    expect(entry.seq).toBe((await rows()).length);
  });

  it('records on whose behalf when the expert team submits for a parent or a youth', async () => {
    for (const kind of ['parent', 'youth'] as const) {
      const res = await ctx.call(ctx.expertTeam, {
        method: 'POST', url: `${API}/cases`, payload: submission({ referrer: { kind } }),
      });
      expect(res.statusCode).toBe(201);
      expect(await lastRow()).toMatchObject({
        action: 'case_created', caseId: res.json().id, actorRole: 'expert_team',
        actorClientId: (await ctx.actorOf(ctx.expertTeam)).clientId, onBehalfOf: `referrer:${kind}`,
      });
    }
  });
});

describe('event_applied', () => {
  it('records each event: from-state → to-state, machine version, the payload without its type', async () => {
    const id = await ctx.createCase();
    const steps = [
      { who: ctx.expertTeam, event: events.START_TRIAGE(), from: 'submitted', to: 'triage' },
      { who: ctx.expertTeam, event: events.REQUEST_INFORMATION(), from: 'triage', to: 'awaiting_information' },
      { who: ctx.localTeam, event: events.PROVIDE_INFORMATION(), from: 'awaiting_information', to: 'triage' },
      { who: ctx.expertTeam, event: events.ACCEPT(), from: 'triage', to: 'planning_overleg' },
      { who: ctx.localTeam, event: events.ADD_NOTE({ text: 'Gebeld met school' }), from: 'planning_overleg', to: 'planning_overleg' },
      { who: ctx.expertTeam, event: events.SCHEDULE_OVERLEG(), from: 'planning_overleg', to: 'overleg_scheduled' },
      { who: ctx.expertTeam, event: events.RECORD_OVERLEG(), from: 'overleg_scheduled', to: 'advising' },
      { who: ctx.expertTeam, event: events.ISSUE_ADVICE({ helpItems: [helpItem(6)] }), from: 'advising', to: 'bridging' },
      { who: ctx.expertTeam, event: events.SET_BRIDGING_PLAN(), from: 'bridging', to: 'follow_up' },
      { who: ctx.localTeam, event: events.REPORT_PROGRESS({ helpStarted: false, onTrack: true }), from: 'follow_up', to: 'follow_up' },
      { who: ctx.expertTeam, event: events.CLOSE({ outcome: 'no_longer_needed', explanation: 'The family found help on their own' }), from: 'follow_up', to: 'closed' },
      { who: ctx.localTeam, event: events.ADD_NOTE({ text: 'Na afsluiting' }), from: 'closed', to: 'closed' },
    ];
    for (const [i, step] of steps.entries()) {
      ctx.clock.advance(3_600_000);
      const res = await ctx.send(step.who, id, step.event);
      expect(res.statusCode, res.body).toBe(200);
      const actor = await ctx.actorOf(step.who);
      const entry = await lastRow();
      expect(entry, step.event.type).toMatchObject({
        at: ctx.clock.now().toISOString(), action: 'event_applied', caseId: id, caseSeq: i + 2,
        actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
        actorClientId: actor.clientId, onBehalfOf: null, eventType: step.event.type,
        fromState: step.from, toState: step.to, machineVersion: REFERRAL_MACHINE_VERSION,
      });
      const stored = JSON.parse(entry.payload) as Record<string, unknown> & { helpItems?: { id: string }[] };
      // An advice is stored as the machine took it: each help item with its new id and defaults (§5.2).
      const expected = step.event.type === 'ISSUE_ADVICE'
        ? { ...payloadOf(step.event), helpItems: (step.event as { helpItems: object[] }).helpItems.map((item, n) =>
          ({ waitingWeeksSource: 'estimate', ...item, id: stored.helpItems?.[n]?.id })) }
        : payloadOf(step.event);
      expect(stored, step.event.type).toEqual(expected);
      for (const item of stored.helpItems ?? []) expect(item.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The trail shows the same writes, one for one.
    const trail = (await ctx.call(ctx.expertTeam, { method: 'GET', url: trailUrl(id) })).json();
    const ofCase = (await rows()).filter((r) => r.caseId === id);
    expect(ofCase.map((r) => r.eventType)).toEqual(trail.entries.map((e: { type: string }) => e.type));
    expect(ofCase.map((r) => r.caseSeq)).toEqual(ofCase.map((_, i) => i + 1));
    await verifyOk();
  });
});

describe('deadline_passed', () => {
  it('records a passed deadline once, with the scheduler (system) as actor and { deadline, dueAt }', async () => {
    const id = await ctx.caseIn('triage');
    const view = (await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(id) })).json();
    const triage = view.deadlines.find((d: { name: string }) => d.name === 'triage');
    expect(triage).toBeDefined();
    const before = (await rows()).length;
    ctx.clock.advance(6 * DAY);
    const firedAt = ctx.clock.now().toISOString();
    await ctx.app.scheduler.runOnce();
    const added = (await rows()).slice(before).filter((r) => r.caseId === id);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      at: firedAt, action: 'deadline_passed', caseId: id, actorRole: 'system', actorOrganisation: null,
      actorName: 'scheduler', actorClientId: null, onBehalfOf: null, eventType: 'DEADLINE_PASSED',
      fromState: 'triage', toState: 'triage', machineVersion: REFERRAL_MACHINE_VERSION,
    });
    expect(JSON.parse(added[0]!.payload)).toEqual({ deadline: 'triage', dueAt: triage.dueAt });
    // Running the scheduler again adds nothing.
    const after = (await rows()).length;
    await ctx.app.scheduler.runOnce();
    expect((await rows()).length).toBe(after);
    await verifyOk();
  });
});

describe('token_created and token_revoked', () => {
  const operator: Operator = { role: 'admin', organisation: 'beheer', name: 'Beheerder', clientId: 'client-1' };

  it('records a new token with its client, never the token or its hash', async () => {
    ctx.clock.set('2026-02-03T08:00:00.000Z');
    const { token, actor } = await ctx.newClient(
      { role: 'inspector', organisation: 'igj', region: 'R07', name: 'Inspecteur Zeven' }, operator);
    const entry = await lastRow();
    expect(entry).toMatchObject({
      at: '2026-02-03T08:00:00.000Z', action: 'token_created', caseId: null, caseSeq: null,
      actorRole: 'admin', actorOrganisation: 'beheer', actorName: 'Beheerder', actorClientId: 'client-1',
      eventType: null, fromState: null, toState: null, machineVersion: null, prevCaseHash: null, caseHash: null,
    });
    expect(JSON.parse(entry.payload)).toEqual({
      clientId: actor.clientId, role: 'inspector', organisation: 'igj', region: 'R07', name: 'Inspecteur Zeven',
    });
    const everything = JSON.stringify(entry);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(4));
    expect(everything).not.toContain(hashToken(token));
  });

  it('records a revocation with the client id only; a second revocation writes nothing', async () => {
    const { token, actor } = await ctx.newClient(
      { role: 'local_team', organisation: 'wt-oost', region: 'R01', name: 'Oost' }, CLI_OPERATOR);
    ctx.clock.set('2026-02-04T08:00:00.000Z');
    expect(await ctx.revokeClient(actor.clientId)).toBe(true);
    const entry = await lastRow();
    expect(entry).toMatchObject({
      at: '2026-02-04T08:00:00.000Z', action: 'token_revoked', caseId: null,
      actorRole: 'operator', actorOrganisation: null, actorName: 'cli', actorClientId: null,
    });
    expect(JSON.parse(entry.payload)).toEqual({ clientId: actor.clientId });
    expect(JSON.stringify(entry)).not.toContain(hashToken(token));
    const before = await footprint();
    expect(await ctx.revokeClient(actor.clientId)).toBe(false);
    expect(await ctx.revokeClient('no-such-client')).toBe(false);
    expect(await footprint()).toEqual(before);
  });

  it('the command line records both, and its printed token appears nowhere in the database', async () => {
    const tmp = tempDir('passend-cli-');
    try {
      const path = join(tmp.dir, 'cli.db');
      const created = await runCli(path, 'token', 'create', '--role', 'expert_team', '--org', 'ret-r03',
        '--region', 'R03', '--name', 'Expertteam Drie');
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim().split('\n').at(-1)!;
      expect(token).toMatch(/^psd_/);
      const clientId = /client (\S+) for/.exec(created.stdout)?.[1];
      expect(clientId).toBeDefined();
      const revoked = await runCli(path, 'token', 'revoke', clientId!);
      expect(revoked.code, revoked.stderr).toBe(0);
      const entries = auditRowsOf(path);
      expect(entries.map((e) => e.action)).toEqual(['token_created', 'token_revoked']);
      expect(entries[0]).toMatchObject({ actorRole: 'operator', actorName: 'cli', caseId: null });
      expect(JSON.parse(entries[0]!.payload)).toEqual({
        clientId, role: 'expert_team', organisation: 'ret-r03', region: 'R03', name: 'Expertteam Drie',
      });
      expect(JSON.parse(entries[1]!.payload)).toEqual({ clientId });
      // The token (or its hash) is nowhere in the audit log.
      const sqlite = new Database(path, { readonly: true });
      const dump = JSON.stringify(sqlite.prepare('SELECT * FROM audit_log').all());
      sqlite.close();
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(hashToken(token));
      const verify = await runCli(path, 'audit', 'verify');
      expect(verify.code).toBe(0);
      expect(verify.json()).toMatchObject({ ok: true, checked: 2 });
    } finally {
      tmp.remove();
    }
  });
});

describe('region_updated', () => {
  it('records a change of region settings by the operator, leaving the webhook secret out', async () => {
    const before = (await rows()).length;
    await ctx.regions.set('R7', { triage: 'P3D', webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 's3cr3t-value' });
    const added = (await rows()).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'region_updated', caseId: null, actorRole: 'operator', actorName: 'cli' });
    expect(JSON.parse(added[0]!.payload)).toEqual({
      region: 'R7', triage: 'P3D', webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'set',
    });
    expect(added[0]!.payload).not.toContain('s3cr3t-value');
  });
});

describe('one entry per write, none for a refused request', () => {
  it('adds exactly one entry for each successful write, with no gap in seq', async () => {
    const id = await ctx.createCase();
    for (const event of [events.START_TRIAGE(), events.ADD_NOTE(), events.ADD_NOTE()]) {
      const before = await footprint();
      const res = await ctx.send(ctx.expertTeam, id, event);
      expect(res.statusCode).toBe(200);
      const after = await footprint();
      expect(after.audit).toBe(before.audit + 1);
      expect(after.events).toBe(before.events + 1);
    }
    expect((await rows()).map((r) => r.seq)).toEqual((await rows()).map((_, i) => i + 1));
  });

  it('reads add no audit entry', async () => {
    const id = await ctx.caseIn('triage');
    const before = await count('audit_log');
    for (const url of [caseUrl(id), trailUrl(id), `${trailUrl(id)}/export`, `${API}/cases`, `${API}/access-log`, `${API}/audit/verify`]) {
      expect((await ctx.call(ctx.inspector, { method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect(await count('audit_log')).toBe(before);
  });

  it.each([
    ['401 no token', 'none', () => ({ type: 'ADD_NOTE', text: 'x' }), {}],
    ['404 a case of another organisation', 'otherLocalTeam', () => events.ADD_NOTE(), {}],
    ['403 a role that never sends it', 'localTeam', () => events.ACCEPT(), {}],
    ['403 a read-only inspector', 'inspector', () => events.ADD_NOTE(), {}],
    ['400 an invalid body', 'expertTeam', () => ({ type: 'ADD_NOTE', text: 7 }), {}],
    ['400 an unknown event type', 'expertTeam', () => ({ type: 'DELETE_CASE' }), {}],
    ['412 a stale If-Match', 'expertTeam', () => events.ADD_NOTE(), { 'if-match': '"1"' }],
    ['409 not in this state', 'expertTeam', () => events.CLOSE(), {}],
    ['400 a missing field', 'expertTeam', () => ({ type: 'ACCEPT', rationale: 'no findings' }), {}],
  ] as const)('%s: nothing written, no entry', async (_name, who, event, headers) => {
    const id = await ctx.caseIn('triage');
    const before = await footprint();
    const caller = who === 'none' ? null : ctx[who];
    const res = await ctx.call(caller, { method: 'POST', url: eventsUrl(id), payload: event() as object, headers });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await footprint()).toEqual(before);
  });

  it('422 rules of the statechart: nothing written, no entry', async () => {
    const id = await ctx.caseIn('advising');
    const before = await footprint();
    const res = await ctx.send(ctx.expertTeam, id, events.ISSUE_ADVICE({ helpItems: [{ ...helpItem(0), fitRationale: ' ' }] }));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('FIT_RATIONALE_REQUIRED');
    expect(await footprint()).toEqual(before);
  });

  it('a refused submission (403, 400, 422 consent) writes nothing', async () => {
    const before = await footprint();
    const refused = [
      await ctx.call(ctx.inspector, { method: 'POST', url: `${API}/cases`, payload: submission() }),
      await ctx.call(ctx.admin, { method: 'POST', url: `${API}/cases`, payload: submission() }),
      await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: { ...submission(), urgency: 'soon' } }),
      await ctx.call(ctx.localTeam, {
        method: 'POST', url: `${API}/cases`,
        payload: submission({ consent: { youth: 'refused', parents: 'refused' } }),
      }),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([403, 403, 400, 422]);
    expect(await footprint()).toEqual(before);
  });
});

describe('the entry is written in the same transaction as the write', () => {
  /** Makes every insert into `table` fail, as a full disk or a crash between the two would. */
  const failInserts = async (table: string) => {
    if (STORE === 'postgres') {
      await ctx.sql(`CREATE OR REPLACE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'disk full'; END $$`);
      await ctx.sql(`CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_insert()`);
    } else {
      await ctx.sql(`CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    }
  };
  const restore = (table: string) => ctx.sql(`DROP TRIGGER fail_${table}${STORE === 'postgres' ? ` ON ${table}` : ''}`);
  /** The failure, whichever layer wraps it (drizzle names the failed query and keeps the cause). */
  const diskFull = (error: unknown): boolean =>
    /disk full/.test(`${(error as Error).message} ${((error as { cause?: Error }).cause)?.message ?? ''}`);

  it('a submission whose audit entry cannot be stored is not stored either', async () => {
    const before = await footprint();
    await failInserts('audit_log');
    try {
      const res = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
      expect(res.statusCode).toBe(500);
    } finally {
      await restore('audit_log');
    }
    expect(await footprint()).toEqual(before);
  });

  it('an event whose audit entry cannot be stored is not applied', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint();
    await failInserts('audit_log');
    try {
      const res = await ctx.send(ctx.expertTeam, id, events.ACCEPT());
      expect(res.statusCode).toBe(500);
    } finally {
      await restore('audit_log');
    }
    expect(await footprint()).toEqual(before);
    expect((await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(id) })).json()).toMatchObject({ state: 'triage', version: 2 });
  });

  it('a passed deadline whose audit entry cannot be stored stays due, and fires once later', async () => {
    const id = await ctx.caseIn('triage');
    ctx.clock.advance(6 * DAY);
    const before = await footprint();
    await failInserts('audit_log');
    try {
      expect((await ctx.app.scheduler.runOnce()).timersFired).toBe(0);
    } finally {
      await restore('audit_log');
    }
    expect(await footprint()).toEqual(before);
    await ctx.app.scheduler.runOnce();
    const passed = (await rows()).filter((r) => r.caseId === id && r.action === 'deadline_passed');
    expect(passed).toHaveLength(1);
    await ctx.app.scheduler.runOnce();
    expect((await rows()).filter((r) => r.caseId === id && r.action === 'deadline_passed')).toHaveLength(1);
  });

  it('a token whose audit entry cannot be stored is not created, nor revoked', async () => {
    const { actor } = await ctx.newClient({ role: 'local_team', organisation: 'wt-x', region: 'R01', name: 'X' });
    const before = await footprint();
    await failInserts('audit_log');
    try {
      await expect(ctx.newClient({ role: 'local_team', organisation: 'wt-y', region: 'R01', name: 'Y' })).rejects.toSatisfy(diskFull);
      await expect(ctx.revokeClient(actor.clientId)).rejects.toSatisfy(diskFull);
    } finally {
      await restore('audit_log');
    }
    expect(await footprint()).toEqual(before);
    const [revokedAt] = await ctx.sql('SELECT revoked_at FROM api_clients WHERE id = ?', actor.clientId);
    expect(revokedAt).toEqual({ revoked_at: null });
  });

  it('a write that fails after its entry leaves no entry behind', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint();
    await failInserts('outbox');
    try {
      const res = await ctx.send(ctx.expertTeam, id, events.ACCEPT());
      expect(res.statusCode).toBe(500);
    } finally {
      await restore('outbox');
    }
    expect(await footprint()).toEqual(before);
    await verifyOk();
  });
});
