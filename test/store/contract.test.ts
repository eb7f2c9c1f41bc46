/**
 * The store's contract (src/store/port.ts), written once against the `Store` interface and run
 * against every adapter in this one file: SQLite in memory (without and with the group commit)
 * and PostgreSQL (a fresh database of the run's cluster per test). Each test asks the same
 * questions and expects the same answers from all of them, so that two adapters that disagree
 * fail here.
 *
 * This file opens both adapters itself, so it runs in the `sqlite` project only (vitest.config.ts).
 * PostgreSQL is not optional here: without the run's cluster the PostgreSQL tests fail, saying so.
 *
 * Every test gets a fresh store and its own manual clock; nothing waits on real time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, NewClient, Operator } from '../../src/auth/actors.ts';
import { DuplicateEmail, type NewUser } from '../../src/auth/people.ts';
import { ManualClock } from '../../src/clock.ts';
import { InvalidOrganisation } from '../../src/organisations/organisations.ts';
import { AppError } from '../../src/errors.ts';
import { DEFAULT_DEADLINES } from '../../machines/referral.deadlines.ts';
import type { AccessQuery } from '../../src/audit/access-log.ts';
import type { RequestInfo, Store } from '../../src/store/port.ts';
import { postgresStore } from '../../src/store/postgres/store.ts';
import { openDatabase } from '../../src/store/sqlite/client.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';
import { events, fixtureClock, submission } from '../support/fixtures.ts';
import { freshPgDatabase, pgUrl } from '../support/postgres.ts';

const START = '2026-01-05T09:00:00.000Z';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Opened {
  store: Store;
  /** After the store is closed: whatever the adapter's test database needs to go. */
  dispose(): Promise<void>;
}

/** SQLite in memory; the store's close closes the database. */
const inMemory = (groupCommit: boolean) => async (clock: ManualClock): Promise<Opened> => {
  const db = openDatabase(':memory:');
  const store = sqliteStore(db, clock, { groupCommit, onClose: () => { db.$client.close(); } });
  return { store, dispose: async () => {} };
};

const ADAPTERS: [string, (clock: ManualClock) => Promise<Opened>][] = [
  ['sqlite', inMemory(false)],
  ['sqlite, group commit', inMemory(true)],
  ['postgres', async (clock) => {
    if (!pgUrl) {
      throw new Error('the store contract runs on PostgreSQL too, and this run has none: install PostgreSQL '
        + '(initdb on the PATH) or set PASSEND_TEST_DATABASE_URL');
    }
    const pg = await freshPgDatabase();
    return { store: postgresStore(pg.db, clock), dispose: () => pg.drop() };
  }],
];

const local: Actor = { clientId: 'c-local', role: 'local_team', organisation: 'wt-noord', region: 'R01', name: 'Wijkteam Noord' };
const expert: Actor = { clientId: 'c-expert', role: 'expert_team', organisation: 'ret-r01', region: 'R01', name: 'Expertteam R01' };
const operator: Operator = { role: 'operator', organisation: null, name: 'contract', clientId: null };
const request = (id: string): RequestInfo => ({ id, method: 'GET', routeOptions: { url: '/api/v1/cases/:id' }, purpose: null });
const anna: NewUser = { role: 'admin', organisation: 'beheer', region: 'R01', name: 'Anna', email: 'Anna@Example.nl' };

describe.each(ADAPTERS)('the store contract on %s', (_name, open) => {
  let store: Store;
  let clock: ManualClock;
  let opened: Opened | undefined;
  let closed = false;
  const previousFixtureClock = fixtureClock.now;

  beforeEach(async () => {
    clock = new ManualClock(START);
    fixtureClock.now = () => clock.now();
    closed = false;
    opened = undefined;
    opened = await open(clock);
    store = opened.store;
  });

  afterEach(async () => {
    fixtureClock.now = previousFixtureClock;
    if (!opened) return;
    try {
      if (!closed) await store.close();
    } finally {
      await opened.dispose();
    }
  });

  const now = () => clock.now().toISOString();
  const submit = async (): Promise<string> => (await store.engine.submit(local, submission())).id;

  describe('clients', () => {
    const client: NewClient = { role: 'expert_team', organisation: 'ret-r01', region: 'R01', name: 'Expertteam R01' };

    it('creates a client whose token is looked up, lists it, and revokes it once', async () => {
      const { token, actor } = await store.clients.create(client, clock.now(), operator);
      expect(token).toMatch(/^psd_/);
      expect(actor).toMatchObject(client);
      expect(await store.clients.lookup(token)).toEqual(actor);
      expect(await store.clients.lookup(`${token}x`)).toBeUndefined();
      expect(await store.clients.list()).toEqual([
        { id: actor.clientId, ...client, createdAt: START, revokedAt: null, lastUsedAt: null },
      ]);

      clock.advance(MINUTE);
      expect(await store.clients.revoke(actor.clientId, clock.now(), operator)).toBe(true);
      expect(await store.clients.lookup(token)).toBeUndefined();
      expect(await store.clients.revoke(actor.clientId, clock.now(), operator)).toBe(false);
      expect(await store.clients.revoke('no-such-client', clock.now(), operator)).toBe(false);
      expect(await store.clients.list()).toEqual([
        { id: actor.clientId, ...client, createdAt: START, revokedAt: now(), lastUsedAt: null },
      ]);
    });

    it('notes a client\'s last use, at most once a minute', async () => {
      const { actor } = await store.clients.create(client, clock.now(), operator);
      const lastUse = async () => (await store.clients.list()).find((c) => c.id === actor.clientId)!.lastUsedAt;
      await store.clients.used(actor.clientId, clock.now());
      expect(await lastUse()).toBe(START);
      clock.advance(MINUTE - 1);
      await store.clients.used(actor.clientId, clock.now());
      expect(await lastUse(), 'within the minute: not written again').toBe(START);
      clock.advance(1);
      await store.clients.used(actor.clientId, clock.now());
      expect(await lastUse()).toBe(now());
      await store.clients.used('no-such-client', clock.now());
    });
  });

  describe('people', () => {
    it('creates a person, found by address in any case, and refuses the address twice', async () => {
      const user = await store.people.create(anna, clock.now(), operator);
      expect(user).toMatchObject({ role: 'admin', organisation: 'beheer', region: 'R01', name: 'Anna',
        email: 'anna@example.nl', createdAt: START, disabledAt: null });
      expect(await store.people.byEmail('ANNA@example.NL')).toEqual(user);
      expect(await store.people.byEmail('bob@example.nl')).toBeUndefined();
      await expect(store.people.create({ ...anna, email: 'anna@EXAMPLE.nl', name: 'Other' }, clock.now(), operator))
        .rejects.toBeInstanceOf(DuplicateEmail);
    });

    it('lists people by name, of one region or all', async () => {
      const zoe = await store.people.create({ ...anna, name: 'Zoë', email: 'zoe@example.nl' }, clock.now());
      const bas = await store.people.create({ ...anna, name: 'Bas', email: 'bas@example.nl', region: 'R02' }, clock.now());
      const ann = await store.people.create(anna, clock.now());
      expect((await store.people.list('R01')).map((u) => u.id)).toEqual([ann.id, zoe.id]);
      expect((await store.people.list('R02')).map((u) => u.id)).toEqual([bas.id]);
      expect((await store.people.list()).map((u) => u.id)).toEqual([ann.id, bas.id, zoe.id]);
      expect(await store.people.list('R09')).toEqual([]);
    });

    it('gives a sign-in link that is redeemed once, and that runs out', async () => {
      const user = await store.people.create(anna, clock.now());
      expect(await store.people.signInLink('no-such-user', clock.now())).toBeUndefined();

      const link = await store.people.signInLink(user.id, clock.now());
      expect(link).toEqual(expect.any(String));
      expect(await store.people.linkUsable(link!, clock.now())).toBe(true);
      expect(await store.people.redeem(link!, clock.now())).toEqual(user);
      expect(await store.people.redeem(link!, clock.now())).toBeUndefined();
      expect(await store.people.linkUsable(link!, clock.now())).toBe(false);
      expect(await store.people.linkUsable('not-a-link', clock.now())).toBe(false);

      const late = await store.people.signInLink(user.id, clock.now());
      clock.advance(16 * MINUTE);
      expect(await store.people.linkUsable(late!, clock.now())).toBe(false);
      expect(await store.people.redeem(late!, clock.now())).toBeUndefined();
    });

    it('disables a person once, which ends their sessions and their links', async () => {
      const user = await store.people.create(anna, clock.now());
      const session = await store.sessions.create(user, clock.now());
      const link = await store.people.signInLink(user.id, clock.now());
      expect(await store.sessions.get(session, clock.now())).toMatchObject({ user: { id: user.id } });

      expect(await store.people.disable(user.id, clock.now(), operator)).toBe(true);
      expect(await store.sessions.get(session, clock.now())).toBeUndefined();
      expect(await store.people.byEmail(anna.email)).toBeUndefined();
      expect(await store.people.redeem(link!, clock.now())).toBeUndefined();
      expect(await store.people.signInLink(user.id, clock.now())).toBeUndefined();
      expect(await store.people.disable(user.id, clock.now(), operator)).toBe(false);
      expect(await store.people.disable('no-such-user', clock.now(), operator)).toBe(false);
    });
  });

  describe('people, as Beheer changes them', () => {
    it('gets a person by id, enables a disabled one once, audited', async () => {
      const user = await store.people.create(anna, clock.now());
      expect(await store.people.get(user.id)).toEqual({ ...user, notices: 'instant' });
      expect(await store.people.get('no-such-user')).toBeUndefined();
      expect(await store.people.enable(user.id, clock.now(), operator)).toBe(false); // not disabled
      await store.people.disable(user.id, clock.now(), operator);
      expect((await store.people.get(user.id))?.disabledAt).toBe(START);
      expect(await store.people.enable(user.id, clock.now(), operator)).toBe(true);
      expect(await store.people.get(user.id)).toEqual(user);
      expect(await store.people.enable(user.id, clock.now(), operator)).toBe(false);
      expect(await store.people.byEmail(anna.email)).toEqual(user);
    });

    it('changes role and organisation, ending the person\'s sessions; keeps the notice preference', async () => {
      const user = await store.people.create({ ...anna, role: 'local_team', organisation: 'wt-noord' }, clock.now());
      const session = await store.sessions.create(user, clock.now());
      expect(await store.people.change(user.id, { organisation: 'wt-noord' }, clock.now(), operator)).toEqual(user);
      expect(await store.sessions.get(session, clock.now()), 'no change: the session stays').toBeDefined();
      const changed = await store.people.change(user.id, { role: 'expert_team', organisation: 'ret-r01' }, clock.now(), operator);
      expect(changed).toEqual({ ...user, role: 'expert_team', organisation: 'ret-r01' });
      expect(await store.people.get(user.id)).toEqual(changed);
      expect(await store.sessions.get(session, clock.now())).toBeUndefined();
      expect(await store.people.change('no-such-user', { role: 'admin' }, clock.now(), operator)).toBeUndefined();

      expect(await store.people.setNotices(user.id, 'daily')).toBe(true);
      expect((await store.people.get(user.id))?.notices).toBe('daily');
      expect(await store.people.setNotices('no-such-user', 'off')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('keeps a session exactly the idle time after its last use, and not a millisecond longer', async () => {
      const user = await store.people.create(anna, clock.now());
      const id = await store.sessions.create(user, clock.now());
      const session = await store.sessions.get(id, clock.now());
      expect(session).toEqual({ user, csrf: expect.any(String), purpose: null });

      clock.advance(30 * MINUTE); // exactly the idle limit: still in use, and its idle clock restarts
      expect(await store.sessions.get(id, clock.now())).toEqual(session);
      clock.advance(30 * MINUTE + 1);
      expect(await store.sessions.get(id, clock.now())).toBeUndefined();
      clock.advance(-(30 * MINUTE + 1)); // gone for good, even at a time it would have been in use
      expect(await store.sessions.get(id, clock.now())).toBeUndefined();
      expect(await store.sessions.get('no-such-session', clock.now())).toBeUndefined();
    });

    it('keeps a stated purpose, ends a session, and prunes those idle too long', async () => {
      const user = await store.people.create(anna, clock.now());
      const id = await store.sessions.create(user, clock.now());
      await store.sessions.setPurpose(id, 'Toezicht, onderzoek 2026-17');
      expect((await store.sessions.get(id, clock.now()))?.purpose).toBe('Toezicht, onderzoek 2026-17');
      await store.sessions.end(id);
      expect(await store.sessions.get(id, clock.now())).toBeUndefined();

      const idle = await store.sessions.create(user, clock.now());
      clock.advance(30 * MINUTE);
      const fresh = await store.sessions.create(user, clock.now());
      expect(await store.sessions.prune(clock.now())).toBe(0); // exactly at the limit: kept
      clock.advance(1);
      expect(await store.sessions.prune(clock.now())).toBe(1);
      expect(await store.sessions.get(idle, clock.now())).toBeUndefined();
      expect(await store.sessions.get(fresh, clock.now())).toMatchObject({ user: { id: user.id } });
    });
  });

  describe('regions', () => {
    it('has the defaults for a region never set, and keeps what is set', async () => {
      const defaults = await store.regions.get('R01');
      expect(defaults).toEqual({
        env: { deadlines: DEFAULT_DEADLINES, bridgingThresholdWeeks: 0 },
        webhook: null, municipalities: null, retention: 'P20Y', housekeeping: 'P30D', waitingNorm: null,
        contact: { name: null, phone: null, email: null, howToRefer: null },
      });

      const set = await store.regions.set('R01', { triage: 'P3D', municipalities: ['GM0363'], housekeeping: 'P60D' },
        clock.now(), operator);
      expect(set).toEqual({
        ...defaults, env: { ...defaults.env, deadlines: { ...DEFAULT_DEADLINES, triage: 'P3D' } },
        municipalities: ['GM0363'], housekeeping: 'P60D',
      });
      expect(await store.regions.get('R01')).toEqual(set);
      expect(await store.regions.get('R02')).toEqual(defaults);
      await expect(store.regions.set('R01', { triage: 'three days' }, clock.now(), operator)).rejects.toThrow(/triage/);
      expect(await store.regions.get('R01')).toEqual(set);
      expect((await store.regions.set('R01', { waitingNorm: 8 }, clock.now(), operator)).waitingNorm).toBe(8);
      await expect(store.regions.set('R01', { waitingNorm: 2.5 }, clock.now(), operator)).rejects.toThrow(/waitingNorm/);
    });
  });

  describe('the offers register', () => {
    const offer = {
      provider: 'Jeugdzorg Oost', name: 'Dagbehandeling', kind: 'dagbehandeling' as const, laws: ['jeugdwet' as const],
      municipalities: ['GM0363'],
    };

    it('registers offers, lists them by provider and name per region, and keeps waiting times, the latest measured first', async () => {
      const b = await store.offers.create('R01', { ...offer, name: 'B' }, clock.now(), operator);
      const a = await store.offers.create('R01', { ...offer, name: 'A', minAge: 4, maxAge: 12 }, clock.now(), operator);
      const elsewhere = await store.offers.create('R02', offer, clock.now(), operator);
      expect(a).toMatchObject({ region: 'R01', name: 'A', minAge: 4, maxAge: 12, laws: ['jeugdwet'], waitingTime: null });
      expect((await store.offers.list('R01')).map((o) => o.name)).toEqual(['A', 'B']);
      expect(await store.offers.list('R01', 'Zorg West')).toEqual([]);
      expect(await store.offers.find(a.id)).toEqual(a);
      expect(await store.offers.find('00000000-0000-4000-8000-000000000000')).toBeUndefined();

      await store.offers.report(a.id, { weeks: 9, measuredAt: '2026-01-05', source: 'provider' }, clock.now(), operator);
      clock.advance(MINUTE);
      await store.offers.report(a.id, { weeks: 3, measuredAt: '2026-01-01', source: 'region' }, clock.now(), operator);
      clock.advance(MINUTE);
      await store.offers.report(a.id, { weeks: 11, measuredAt: '2026-01-05', source: 'region' }, clock.now(), operator);
      expect(await store.offers.report('00000000-0000-4000-8000-000000000000',
        { weeks: 1, measuredAt: '2026-01-05', source: 'region' }, clock.now(), operator)).toBeUndefined();
      expect((await store.offers.waitingTimes(a.id)).map((w) => w.weeks)).toEqual([11, 9, 3]);
      expect((await store.offers.find(a.id))?.waitingTime).toMatchObject({ weeks: 11, measuredAt: '2026-01-05', source: 'region' });

      const resolved = await store.offers.resolve('R01', [a.id, b.id, elsewhere.id]);
      expect([...resolved.keys()].sort()).toEqual([a.id, b.id].sort());
      expect(resolved.get(a.id)).toEqual({ provider: 'Jeugdzorg Oost', name: 'A', kind: 'dagbehandeling', waitingWeeks: 11, measuredAt: '2026-01-05' });
      expect(resolved.get(b.id)).toMatchObject({ waitingWeeks: null, measuredAt: null });
      const audit = (await store.verifier.verify(true));
      expect(audit.ok).toBe(true);
    });

    it('counts the supply rows of a period: advised items per kind and waiting time, and today\'s', async () => {
      const a = await store.offers.create('R01', offer, clock.now(), operator);
      await store.offers.report(a.id, { weeks: 9, measuredAt: '2026-01-05', source: 'provider' }, clock.now(), operator);
      const id = await submit();
      for (const type of ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG'] as const) {
        const at = clock.now().toISOString();
        const extra = type === 'SCHEDULE_OVERLEG' ? { scheduledAt: at } : type === 'RECORD_OVERLEG' ? { heldAt: at } : {};
        await store.engine.applyEvent(expert, { caseId: id, body: (events[type] as (x: object) => object)(extra) });
      }
      const { noOfferBecause: _n, financing: _f, ...item } = events.ISSUE_ADVICE().helpItems[0]!;
      await store.engine.applyEvent(expert, { caseId: id, body: events.ISSUE_ADVICE({
        helpItems: [{ ...item, kind: 'existing_offer', offerId: a.id }, { ...item, kind: 'existing_offer', waitingWeeks: 2 }],
      }) });
      await store.offers.report(a.id, { weeks: 12, measuredAt: '2026-01-05', source: 'provider' }, clock.now(), operator);
      const period = { from: '2026-01-01', to: '2026-01-31', startsAt: '2025-12-31T23:00:00.000Z',
        endsBefore: '2026-01-31T23:00:00.000Z', asOf: '2026-01-05' };
      const rows = await store.offers.supply('R01', period);
      const sorted = [...rows.advised].sort((x, y) => x.kind.localeCompare(y.kind));
      expect(sorted).toEqual([
        { municipality: 'GM0363', kind: 'dagbehandeling', itemKind: 'existing_offer', atAdvice: 9, nowWeeks: 12, n: 1 },
        { municipality: 'GM0363', kind: 'unspecified', itemKind: 'existing_offer', atAdvice: 2, nowWeeks: null, n: 1 },
      ]);
      expect(rows.notStarted).toEqual([]);
      expect(await store.offers.supply('R02', period)).toEqual({ advised: [], notStarted: [] });
    });

    it('keeps the team\'s contact details, refuses a malformed one, and lists the regions that have settings', async () => {
      expect(await store.regions.list()).toEqual([]);
      const contact = { name: 'Expertteam Twente', phone: '+31 53 123 45 67', email: 'expertteam@twente.example', howToRefer: 'Bel ons.' };
      const set = await store.regions.set('R02', { teamName: contact.name, phone: contact.phone, email: contact.email,
        howToRefer: contact.howToRefer, municipalities: ['GM0153'] }, clock.now(), operator);
      expect(set.contact).toEqual(contact);
      await store.regions.set('R01', { triage: 'P3D' }, clock.now(), operator);
      for (const bad of [{ phone: 'call us' }, { phone: '12' }, { email: 'not-an-address' }, { teamName: 'x'.repeat(101) },
        { howToRefer: 'a\u0000b' }]) {
        await expect(store.regions.set('R02', bad, clock.now(), operator)).rejects.toThrow();
      }
      const listed = await store.regions.list();
      expect(listed.map((r) => r.id)).toEqual(['R01', 'R02']);
      expect(listed[1]!.settings).toEqual(set);
      expect(listed[0]!.settings.contact).toEqual({ name: null, phone: null, email: null, howToRefer: null });
      // null removes a detail again
      expect((await store.regions.set('R02', { phone: null }, clock.now(), operator)).contact.phone).toBeNull();
    });
  });

  describe('organisations', () => {
    it('names organisations, changes a name, refuses a bad one, and audits each change', async () => {
      expect(await store.organisations.names()).toEqual(new Map());
      await store.organisations.set('wt-noord', '  Wijkteam   Noord ', clock.now(), operator);
      await store.organisations.set('gi-west', 'Jeugdbescherming West', clock.now(), operator);
      await store.organisations.set('wt-noord', 'Wijkteam Amsterdam-Noord', clock.now(), operator);
      expect(await store.organisations.names()).toEqual(new Map([
        ['wt-noord', 'Wijkteam Amsterdam-Noord'], ['gi-west', 'Jeugdbescherming West'],
      ]));
      await expect(store.organisations.set('wt noord', 'Wijkteam', clock.now(), operator)).rejects.toThrow(InvalidOrganisation);
      await expect(store.organisations.set('wt-zuid', ' ', clock.now(), operator)).rejects.toThrow(InvalidOrganisation);
      await expect(store.organisations.set('wt-zuid', 'x'.repeat(121), clock.now(), operator)).rejects.toThrow(InvalidOrganisation);
      expect((await store.organisations.names()).size).toBe(2);
      // Three changes, each in the audit chain, which still verifies.
      const result = await store.verifier.verify(true);
      expect(result).toMatchObject({ ok: true, checked: 3 });
    });
  });

  describe('the engine and the reads', () => {
    it('stores a submission: found, listed in scope, with its trail, its audit and on the work list', async () => {
      const view = await store.engine.submit(local, submission());
      expect(view).toMatchObject({ state: 'submitted', version: 1 });
      const row = await store.reads.find(view.id);
      expect(row).toMatchObject({ id: view.id, state: 'submitted', version: 1, region: 'R01', createdAt: START, updatedAt: START });
      expect(await store.reads.find('00000000-0000-4000-8000-000000000000')).toBeUndefined();

      const listed = await store.reads.list({ kind: 'region', region: 'R01' }, { limit: 10, now: now() });
      expect(listed.map((c) => c.id)).toEqual([view.id]);
      expect(await store.reads.list({ kind: 'region', region: 'R02' }, { limit: 10, now: now() })).toEqual([]);
      expect((await store.reads.list({ kind: 'organisation', organisation: 'wt-zuid', region: 'R01' },
        { limit: 10, now: now() }))).toEqual([]);

      const trail = await store.reads.events(view.id);
      expect(trail).toHaveLength(1);
      expect(trail[0]).toMatchObject({ caseId: view.id, version: 1, at: START, actorClientId: 'c-local', state: 'submitted' });

      const audit = await store.audit.ofCase(view.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ caseId: view.id, at: START, actorClientId: 'c-local', toState: 'submitted' });

      const work = await store.reads.worklist({ kind: 'region', region: 'R01' }, { limit: 10, now: now() });
      expect(work).toEqual([{
        id: view.id, state: 'submitted', municipality: 'GM0363', createdAt: START, updatedAt: START, overdue: 0,
        nextDue: '2026-01-10T09:00:00.000Z', nextDueName: 'triage', closureType: null, closureOutcome: null,
        reference: 'WN-2026-0042', regisseurId: null, regisseurName: null,
      }]);
    });

    it('keeps the regisseur (§6.3): a person by id, the column, the filters, the name on the work list while active', async () => {
      const regie = await store.people.create({ ...anna, role: 'expert_team', organisation: 'ret-r01', name: 'Regie Rita',
        email: 'rita@example.nl' }, clock.now());
      expect(await store.people.byId(regie.id)).toEqual(regie);
      expect(await store.people.byId('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await store.people.byId('not-an-id')).toBeUndefined();
      const id = await submit();
      const other = await submit();
      const closed = await submit();
      await store.engine.applyEvent(expert, { caseId: closed, body: events.WITHDRAW() });
      const assigned = await store.engine.applyEvent(expert, { caseId: id, body: events.ASSIGN({ userId: regie.id }) });
      expect(assigned.regisseur).toEqual({ userId: regie.id, name: 'Regie Rita' });
      expect(await store.reads.find(id)).toMatchObject({ regisseur: regie.id });
      expect(await store.reads.find(other)).toMatchObject({ regisseur: null });
      const region = { kind: 'region', region: 'R01' } as const;
      const listed = async (filter: { regisseur?: string; open?: boolean }) =>
        (await store.reads.list(region, { limit: 10, now: now(), ...filter })).map((c) => c.id).sort();
      expect(await listed({ regisseur: regie.id })).toEqual([id]);
      expect(await listed({ open: true })).toEqual([id, other].sort());
      expect(await listed({})).toEqual([id, other, closed].sort());
      const work = await store.reads.worklist(region, { limit: 10, now: now(), open: true });
      expect(work.map((w) => [w.id, w.regisseurId, w.regisseurName]).sort()).toEqual([
        [id, regie.id, 'Regie Rita'], [other, null, null]].sort());
      expect((await store.reads.worklist(region, { limit: 10, now: now(), regisseur: regie.id })).map((w) => w.id)).toEqual([id]);
      // Disabled: the column stays, but nobody lists or shows them as regisseur.
      await store.people.disable(regie.id, clock.now());
      expect(await listed({ regisseur: regie.id })).toEqual([]);
      expect((await store.reads.worklist(region, { limit: 10, now: now() })).find((w) => w.id === id))
        .toMatchObject({ regisseurId: null, regisseurName: null });
    });

    it('applies events: notes read back newest first, counted; a stale If-Match is a version mismatch', async () => {
      const id = await submit();
      clock.advance(MINUTE);
      const triage = await store.engine.applyEvent(expert, { caseId: id, body: events.START_TRIAGE(), ifMatch: '"1"' });
      expect(triage).toMatchObject({ state: 'triage', version: 2 });
      await store.engine.applyEvent(expert, { caseId: id, body: events.ADD_NOTE({ text: 'eerste' }) });
      clock.advance(MINUTE);
      await store.engine.applyEvent(expert, { caseId: id, body: events.ADD_NOTE({ text: 'tweede' }) });

      const error = await store.engine.applyEvent(expert, { caseId: id, body: events.ADD_NOTE(), ifMatch: '"2"' })
        .then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VERSION_MISMATCH');

      expect(await store.reads.noteCount(id)).toBe(2);
      // Each note with its author, as the trail records them: name and organisation, never the client id.
      const by = { name: 'Expertteam R01', organisation: 'ret-r01' };
      expect(await store.reads.notes(id, 10)).toEqual([
        { type: 'ADD_NOTE', text: 'tweede', at: '2026-01-05T09:02:00.000Z', version: 4, by },
        { type: 'ADD_NOTE', text: 'eerste', at: '2026-01-05T09:01:00.000Z', version: 3, by },
      ]);
      expect(await store.reads.notes(id, 10, 4)).toEqual([
        { type: 'ADD_NOTE', text: 'eerste', at: '2026-01-05T09:01:00.000Z', version: 3, by },
      ]);
      expect(await store.reads.notes(id, 1)).toHaveLength(1);
      expect((await store.reads.events(id)).map((e) => e.version)).toEqual([1, 2, 3, 4]);
      expect(await store.reads.find(id)).toMatchObject({ state: 'triage', version: 4 });
      expect((await store.audit.ofCase(id)).map((e) => e.toState)).toEqual(['submitted', 'triage', 'triage', 'triage']);
    });

    it('finds cases on the work list by a part of the referrer\'s reference, ignoring case, wildcards as themselves', async () => {
      const reference = (value: string) => submission({ subject: { ...submission().subject, reference: value } });
      const plain = (await store.engine.submit(local, reference('WN-2026-0042'))).id;
      const percent = (await store.engine.submit(local, reference('ab%cd_ef'))).id;
      const other = (await store.engine.submit(local, reference('abXcdYef'))).id;
      const found = async (part: string, region = 'R01') => (await store.reads.worklist({ kind: 'region', region },
        { limit: 10, now: now(), reference: part })).map((i) => i.id).sort();
      expect(await found('wn-2026')).toEqual([plain]);
      expect(await found('0042')).toEqual([plain]);
      expect(await found('%')).toEqual([percent]);
      expect(await found('B%C')).toEqual([percent]);
      expect(await found('d_e')).toEqual([percent]);
      expect(await found('ab')).toEqual([percent, other].sort());
      expect(await found('\\')).toEqual([]);
      expect(await found('zz')).toEqual([]);
      expect(await found('WN\u0000')).toEqual([]);
      expect(await found('WN', 'R02')).toEqual([]);
    });

    it('fires a due deadline once, and a timer fired again is gone', async () => {
      const id = await submit();
      clock.advance(5 * DAY - 1);
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
      clock.advance(1);
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 1, fired: 1 });
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
      expect(await store.reads.find(id)).toMatchObject({ version: 2, overdue: 1 });
      // A fresh store's first timer is number 1 on both: this case's triage deadline, settled.
      expect(await store.engine.fireTimer(1)).toBe('gone');
      expect(await store.engine.fireTimer(999_999)).toBe('gone');
      expect(await store.reads.find(id)).toMatchObject({ version: 2 });
    });
  });

  describe('retention', () => {
    // With the group commit on, an erasure follows a write of the same turn: the SQLite adapter
    // commits that write's batch before its VACUUM (which cannot run inside a transaction).
    it('erases a case once; its deadlines never fire, and its timer counts the same on every store', async () => {
      const erased = await submit();
      const kept = await submit();
      clock.advance(DAY);
      expect(await store.retention.erase(erased, clock.now(), operator, 'uitspraak 2026-3')).toBe(true);
      expect(await store.retention.erase(erased, clock.now(), operator)).toBe(false);
      expect(await store.retention.erase('00000000-0000-4000-8000-000000000000', clock.now(), operator)).toBe(false);
      expect(await store.reads.find(erased)).toMatchObject({ id: erased, erasedAt: now() });

      clock.advance(30 * DAY);
      // Only the kept case's deadline: the erased case's timer is no longer pending.
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 1, fired: 1 });
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
      expect(await store.engine.fireTimer(1)).toBe('gone'); // the erased case's triage deadline
      expect((await store.reads.events(erased)).map((e) => e.type)).toEqual(['SUBMIT']);
      expect((await store.reads.events(kept)).map((e) => e.type)).toEqual(['SUBMIT', 'DEADLINE_PASSED']);
      expect(await store.verifier.verify(true)).toMatchObject({ ok: true });
    });

    it('finds and erases the cases past their retention period', async () => {
      const old = await submit();
      await store.regions.set('R01', { retention: 'P1Y' }, clock.now(), operator);
      clock.advance(200 * DAY);
      const young = await submit();
      clock.advance(200 * DAY);
      expect(await store.retention.due(clock.now())).toEqual([old]);
      expect(await store.retention.run(clock.now(), clock.now(), operator)).toEqual([old]);
      expect(await store.retention.due(clock.now())).toEqual([]);
      expect(await store.reads.find(young)).toMatchObject({ erasedAt: null });
    });
  });

  describe('the outbox', () => {
    it('leases what is due: a second claim before the lease ends gets nothing', async () => {
      const id = await submit();
      const until = new Date(clock.now().getTime() + MINUTE).toISOString();
      const [claimed, ...more] = await store.outbox.claimDue(now(), until, 10);
      expect(more).toEqual([]);
      // The row as it was due (both adapters answer the row before its lease).
      expect(claimed).toMatchObject({ caseId: id, region: 'R01', kind: 'state_changed', status: 'pending',
        attempts: 0, nextAttemptAt: START, createdAt: START });
      expect(await store.outbox.claimDue(now(), until, 10)).toEqual([]);
      expect(await store.outbox.claimDue(now(), until, 10, ['R01'])).toEqual([]);

      clock.advance(MINUTE);
      const later = new Date(clock.now().getTime() + MINUTE).toISOString();
      expect(await store.outbox.claimDue(now(), later, 10, ['R01'])).toEqual([]); // its region is busy
      expect((await store.outbox.claimDue(now(), later, 10)).map((n) => n.id)).toEqual([claimed!.id]);
    });

    it('keeps e-mail notices apart: queued with the step for the organisation\'s active people, claimed only as mail', async () => {
      const noord = await store.people.create({ ...anna, role: 'local_team', organisation: 'wt-noord', email: 'n@example.nl' }, clock.now());
      const daily = await store.people.create({ ...anna, role: 'local_team', organisation: 'wt-noord', email: 'd@example.nl' }, clock.now());
      const off = await store.people.create({ ...anna, role: 'local_team', organisation: 'wt-noord', email: 'o@example.nl' }, clock.now());
      await store.people.create({ ...anna, role: 'local_team', organisation: 'wt-zuid', email: 'z@example.nl' }, clock.now());
      await store.people.setNotices(daily.id, 'daily');
      await store.people.setNotices(off.id, 'off');
      const id = await submit();
      await store.engine.applyEvent(expert, { caseId: id, body: events.START_TRIAGE() });
      await store.engine.applyEvent(expert, { caseId: id, body: events.REQUEST_INFORMATION() });
      const until = new Date(clock.now().getTime() + MINUTE).toISOString();
      const webhook = await store.outbox.claimDue(now(), until, 10);
      expect(webhook.every((n) => n.recipient === null && n.kind === 'state_changed')).toBe(true);
      const mail = await store.outbox.claimDue(now(), until, 10, [], 'mail');
      expect(mail.map((n) => [n.recipient, n.kind, n.caseId])).toEqual([[noord.id, 'question_waiting', id]]);
      expect(await store.outbox.claimDue(now(), until, 10, [], 'mail')).toEqual([]);
      await store.outbox.record(mail[0]!.seq, { status: 'delivered', attempts: 1, deliveredAt: now() });
      clock.set('2026-01-06T06:00:00.000Z');
      const digest = await store.outbox.claimDue(now(), now(), 10, [], 'mail');
      expect(digest.map((n) => [n.recipient, n.nextAttemptAt])).toEqual([[daily.id, '2026-01-06T06:00:00.000Z']]);
    });

    it('records attempts, skips, lists failures and puts them back', async () => {
      await submit();
      await submit();
      await submit();
      const until = new Date(clock.now().getTime() + MINUTE).toISOString();
      const [a, b, c] = await store.outbox.claimDue(now(), until, 10);
      expect([a, b, c].every(Boolean)).toBe(true);

      await store.outbox.record(a!.seq, { status: 'delivered', attempts: 1, deliveredAt: now() });
      await store.outbox.record(b!.seq, { status: 'failed', attempts: 3, lastError: 'HTTP 500' });
      await store.outbox.skip([c!.seq]);
      expect(await store.outbox.byId(a!.id)).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: START });
      expect(await store.outbox.byId(c!.id)).toMatchObject({ status: 'skipped' });
      expect(await store.outbox.byId('no-such-notification')).toBeUndefined();

      expect((await store.outbox.failed('*', 10)).map((n) => n.id)).toEqual([b!.id]);
      expect((await store.outbox.failed('R01', 10)).map((n) => n.id)).toEqual([b!.id]);
      expect(await store.outbox.failed('R02', 10)).toEqual([]);

      clock.advance(MINUTE);
      expect(await store.outbox.retryFailed('no-such-notification', now())).toBe(0);
      expect(await store.outbox.retryFailed(undefined, now())).toBe(1);
      expect(await store.outbox.byId(b!.id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: now(), lastError: 'HTTP 500' });
      expect(await store.outbox.failed('*', 10)).toEqual([]);
      expect(await store.outbox.retryFailed(undefined, now())).toBe(0);
      expect((await store.outbox.claimDue(now(), now(), 10)).map((n) => n.id)).toEqual([b!.id]);
    });
  });

  describe('the access log and the audit', () => {
    it('records reads, lists them newest first within the region, and knows which cases are the region\'s', async () => {
      const id = await submit();
      await store.access.record(request('req-1'), expert, 'case.read', [id]);
      clock.advance(MINUTE);
      await store.access.record(request('req-2'), expert, 'case.list', [], 'refused');

      const lines = await store.access.list('R01', { limit: 10 });
      expect(lines.map((l) => [l.requestId, l.action, l.outcome, l.at])).toEqual([
        ['req-2', 'case.list', 'refused', '2026-01-05T09:01:00.000Z'],
        ['req-1', 'case.read', 'shown', START],
      ]);
      expect(lines[1]).toMatchObject({ route: 'GET /api/v1/cases/:id', actorClientId: 'c-expert', actorRegion: 'R01',
        caseIds: JSON.stringify([id]), purpose: null });
      expect(await store.access.list('R02', { limit: 10 })).toEqual([]);
      expect((await store.access.list('*', { limit: 10, caseId: id })).map((l) => l.requestId)).toEqual(['req-1']);
      expect((await store.access.list('*', { limit: 10, beforeSeq: lines[0]!.seq })).map((l) => l.requestId)).toEqual(['req-1']);

      expect((await store.access.list('*', { limit: 10, caseIds: [id, 'no-such-case'] })).map((l) => l.requestId)).toEqual(['req-1']);
      expect(await store.access.list('*', { limit: 10, caseIds: [] })).toEqual([]);

      // The region's cases among these ids, each with the referrer's reference to show it by.
      expect(await store.access.ofRegion('R01', [id, 'no-such-case'])).toEqual(new Map([[id, 'WN-2026-0042']]));
      expect(await store.access.ofRegion('*', [id, 'no-such-case'])).toEqual(new Map([[id, 'WN-2026-0042']]));
      expect(await store.access.ofRegion('R02', [id])).toEqual(new Map());
      expect(await store.access.ofRegion('R01', [])).toEqual(new Map());
    });

    it('filters lines by reader, action and outcome exactly, paging by sequence number', async () => {
      const id = await submit();
      const person: Actor = { clientId: 'user:u-sanne', role: 'inspector', organisation: 'Inspectie JenV', region: 'R01', name: 'Sanne de Wit' };
      await store.access.record(request('a'), expert, 'case.read', [id]);
      await store.access.record(request('b'), person, 'case.read', [id]);
      await store.access.record(request('c'), person, 'access_log.read', [], 'refused');
      await store.access.record(request('d'), local, 'case.list', [id], 'refused');
      await store.access.record(request('e'), person, 'case.read', [id], 'refused');
      const ids = async (query: Omit<AccessQuery, 'limit'>, limit = 10) =>
        (await store.access.list('R01', { ...query, limit })).map((l) => l.requestId);

      // The reader: part of the name or the organisation (ASCII case folded), or the client id exactly.
      expect(await ids({ actor: 'sanne' })).toEqual(['e', 'c', 'b']);
      expect(await ids({ actor: 'JENV' })).toEqual(['e', 'c', 'b']);
      expect(await ids({ actor: 'c-expert' })).toEqual(['a']);
      expect(await ids({ actor: 'c-exp' })).toEqual([]);
      expect(await ids({ actor: 'team' })).toEqual(['d', 'a']);
      expect(await ids({ actor: '%' })).toEqual([]);
      expect(await ids({ actor: 'sanne\u0000' })).toEqual([]);
      expect(await ids({ action: 'case.read' })).toEqual(['e', 'b', 'a']);
      expect(await ids({ outcome: 'refused' })).toEqual(['e', 'd', 'c']);
      expect(await ids({ outcome: 'shown' })).toEqual(['b', 'a']);
      expect(await ids({ actor: 'sanne', action: 'case.read', outcome: 'refused' })).toEqual(['e']);
      expect(await ids({ actor: 'Sanne', caseIds: [id] })).toEqual(['e', 'b']);

      // A full page of matches, then the next from the last one's sequence number: no line twice, none left out.
      const first = await store.access.list('R01', { action: 'case.read', limit: 2 });
      expect(first.map((l) => l.requestId)).toEqual(['e', 'b']);
      expect(await ids({ action: 'case.read', beforeSeq: first[1]!.seq })).toEqual(['a']);
      expect(await store.access.list('R02', { actor: 'sanne', limit: 10 })).toEqual([]);
    });

    it('verifies the audit trail in full', async () => {
      const id = await submit();
      await store.engine.applyEvent(expert, { caseId: id, body: events.START_TRIAGE() });
      await store.clients.create({ role: 'admin', organisation: 'beheer', region: 'R01', name: 'Beheer' }, clock.now(), operator);
      const result = await store.verifier.verify(true);
      expect(result).toMatchObject({ ok: true, checked: 3 });
      expect(result.firstBroken).toBeUndefined();
      expect(store.verifier.state()).toEqual(result);
      const region = await store.audit.regionView('R01', result);
      expect(region.checked).toBe(2);
    });
  });

  describe('housekeeping and the store itself', () => {
    it('prunes what has been settled for longer than the housekeeping period', async () => {
      expect(await store.housekeeping.run()).toEqual({ timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 });
      const user = await store.people.create(anna, clock.now());
      await store.sessions.create(user, clock.now());
      await store.people.signInLink(user.id, clock.now());
      await store.engine.submit(local, submission(), 'key-1');
      const [notice] = await store.outbox.claimDue(now(), now(), 10);
      await store.outbox.record(notice!.seq, { status: 'delivered', attempts: 1, deliveredAt: now() });
      clock.advance(5 * DAY);
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 1, fired: 1 });

      clock.advance(31 * DAY);
      expect(await store.housekeeping.run()).toEqual({ timers: 1, notifications: 1, idempotencyKeys: 1, sessions: 1, signInLinks: 1 });
      expect(await store.housekeeping.run()).toEqual({ timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 });
    });

    it('answers a ping, says when its writes are durable, and closes', async () => {
      expect(await store.ping()).toBe(true);
      await submit();
      const durable = store.durable();
      if (durable !== undefined) await expect(durable).resolves.toBeUndefined();
      await store.close();
      closed = true;
    });
  });
});

/**
 * The disagreement the contract was written for (issue 27): `fireDueTimers` counts a timer that is
 * no longer pending when its turn comes (fired by another instance, or its case erased meanwhile)
 * as settled (port.ts). Only PostgreSQL has other instances: SQLite lists and fires the round's
 * timers in one synchronous call. Here a second connection plays the other instance, holding the
 * timer's row while this store's round waits for it, then settling it. The wait is observed in
 * pg_stat_activity, not timed.
 */
describe('fireDueTimers on PostgreSQL, with another instance at the same timer', () => {
  let clock: ManualClock;
  let pg: Awaited<ReturnType<typeof freshPgDatabase>>;
  let store: Store;

  beforeEach(async () => {
    if (!pgUrl) throw new Error('this run has no PostgreSQL: install it (initdb on the PATH) or set PASSEND_TEST_DATABASE_URL');
    clock = new ManualClock(START);
    pg = await freshPgDatabase();
    store = postgresStore(pg.db, clock);
  });
  afterEach(async () => {
    await store?.close();
    await pg?.drop();
  });

  /** The triage timer of a new case, due now; and a connection of "another instance". */
  async function dueTimer() {
    const id = (await store.engine.submit(local, submission())).id;
    clock.advance(5 * DAY);
    const other = await pg.db.$client.connect();
    const { rows } = await other.query('SELECT seq FROM timers WHERE case_id = $1 AND name = \'triage\'', [id]);
    return { id, seq: rows[0].seq as number, other };
  }

  /** Until a statement of this database waits for a lock (another connection's). */
  async function someoneWaitsForALock(): Promise<void> {
    for (;;) {
      const { rows } = await pg.db.$client.query(`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (rows[0].n > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('counts a timer settled by another instance while it waited as settled, not fired', async () => {
    const { id, seq, other } = await dueTimer();
    try {
      await other.query('BEGIN');
      await other.query('SELECT seq FROM timers WHERE seq = $1 FOR UPDATE', [seq]);
      const round = store.engine.fireDueTimers();
      await someoneWaitsForALock();
      await other.query('UPDATE timers SET status = \'fired\', settled_at = $1 WHERE seq = $2', [clock.now().toISOString(), seq]);
      await other.query('COMMIT');
      expect(await round).toEqual({ settled: 1, fired: 0 });
    } finally {
      other.release();
    }
    expect(await store.reads.find(id)).toMatchObject({ version: 1 });
    expect(await store.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
  });

  it('does not count a timer whose case another instance holds: it stays pending for the next round', async () => {
    const { id, other } = await dueTimer();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [id]);
      expect(await store.engine.fireDueTimers()).toEqual({ settled: 0, fired: 0 });
      await other.query('COMMIT');
    } finally {
      other.release();
    }
    expect(await store.engine.fireDueTimers()).toEqual({ settled: 1, fired: 1 });
    expect(await store.reads.find(id)).toMatchObject({ version: 2, overdue: 1 });
  });
});
