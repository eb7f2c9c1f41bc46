/**
 * The regisseur in the statechart (DESIGN §6.3): ASSIGN in every open state, START_TRIAGE that
 * names one, the record keeping who and since when, refused where the chart does not take it.
 * Pure: the machine, with the person already resolved (the engine's lookup, test/routes/regisseur.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, MACHINE_VERSION_2_1, REFERRAL_MACHINE_VERSION, type StampedEvent } from '../../machines/referral.machine.ts';
import { EVENT_SCHEMAS, type ReferralEvent } from '../../machines/referral.schemas.ts';
import { acceptedEvents, recordOf, stamp, step, type PersistedReferral } from '../../machines/referral.ts';
import { initialTransition } from 'xstate';
import { MACHINE_VERSION_1, referralMachineV1 } from '../../machines/v1/referral.machine.ts';
import { MACHINE_VERSION_2 } from '../../machines/v2/referral.machine.ts';
import { AT, driveTo, input } from './helpers.ts';
import { submit } from '../../machines/referral.ts';

const V = REFERRAL_MACHINE_VERSION;
const ANNA = { userId: '00000000-0000-4000-8000-0000000000b1', name: 'Anna de Regisseur' };
const BRAM = { userId: '00000000-0000-4000-8000-0000000000b2', name: 'Bram Bos' };
const LATER = '2026-02-02T10:00:00Z';

const assign = (who: { userId: string; name: string }, at = AT): StampedEvent =>
  stamp(EVENT_SCHEMAS.ASSIGN.parse({ type: 'ASSIGN', userId: who.userId }) as ReferralEvent, at, () => 'x', undefined, who);

function apply(persisted: PersistedReferral, event: StampedEvent, version = V): PersistedReferral {
  const result = step(version, persisted, event);
  if (result.outcome !== 'applied') throw new Error(`${event.type}: ${JSON.stringify(result)}`);
  return result.persisted;
}

describe('ASSIGN (§6.3)', () => {
  const open = LIFECYCLE_STATES.filter((s) => s !== 'closed');

  it.each(open)('in %s: the record keeps the regisseur with id, name and since when; the state stays', (state) => {
    const before = driveTo(state);
    const result = step(V, before, assign(ANNA));
    expect(result).toMatchObject({ outcome: 'applied', state, timers: [] });
    if (result.outcome !== 'applied') return;
    expect(result.persisted.context.record.regisseur).toEqual({ ...ANNA, at: AT });
    // Nothing else of the case changes: deadlines and the rest of the record as they were.
    expect(result.persisted.context.deadlines).toEqual(before.context.deadlines);
    expect({ ...result.persisted.context.record, regisseur: null }).toEqual({ ...before.context.record, regisseur: null });
  });

  it('reassigning is ASSIGN again: the latest counts', () => {
    const triage = apply(apply(driveTo('triage'), assign(ANNA)), assign(BRAM, LATER));
    expect(triage.context.record.regisseur).toEqual({ ...BRAM, at: LATER });
  });

  it('is refused in closed (not_accepted, nothing changes)', () => {
    const closed = driveTo('closed');
    expect(acceptedEvents(V, closed)).not.toContain('ASSIGN');
    expect(step(V, closed, assign(ANNA))).toMatchObject({ outcome: 'not_accepted', state: 'closed' });
  });

  it('is taken by 2.1.0 cases (the same chart) and refused by the frozen charts of 1.0.0 and 2.0.0', () => {
    const triage = driveTo('triage');
    expect(step(MACHINE_VERSION_2_1, triage, assign(ANNA))).toMatchObject({ outcome: 'applied', state: 'triage' });
    expect(acceptedEvents(MACHINE_VERSION_2, triage)).not.toContain('ASSIGN');
    expect(step(MACHINE_VERSION_2, triage, assign(ANNA))).toMatchObject({ outcome: 'not_accepted', state: 'triage' });
    // A 1.0.0 case, made and stepped by its own chart.
    const [first] = initialTransition(referralMachineV1, input());
    const v1 = apply({ value: first.value, context: first.context } as PersistedReferral,
      stamp(EVENT_SCHEMAS.START_TRIAGE.parse({ type: 'START_TRIAGE', coordinator: 'A' }) as ReferralEvent, AT, () => 'x'),
      MACHINE_VERSION_1);
    expect(step(MACHINE_VERSION_1, v1, assign(ANNA))).toMatchObject({ outcome: 'not_accepted', state: 'triage' });
  });

  it('goes through while consent fails: someone owns the case while it is mended', () => {
    const refused = input();
    refused.submission = { ...refused.submission, consent: { youth: 'refused', parents: 'refused' } };
    const submitted = submit(refused).persisted;
    expect(step(V, submitted, assign(ANNA))).toMatchObject({ outcome: 'applied', state: 'submitted' });
  });
});

describe('START_TRIAGE and the regisseur (§6.3)', () => {
  const start = (regisseur?: { userId: string; name: string }, extra: Record<string, unknown> = {}) =>
    stamp(EVENT_SCHEMAS.START_TRIAGE.parse({ type: 'START_TRIAGE', ...extra,
      ...(regisseur ? { regisseur: regisseur.userId } : {}) }) as ReferralEvent, AT, () => 'x', undefined, regisseur);

  it('with the person the engine resolved: the record and the triage start name them', () => {
    const triage = apply(driveTo('submitted'), start(ANNA));
    expect(triage.context.record.regisseur).toEqual({ ...ANNA, at: AT });
    expect(triage.context.record.triageStart).toEqual({ type: 'START_TRIAGE', regisseur: ANNA, at: AT });
  });

  it('without one (an API client that names nobody): no regisseur; the free-text coordinator is still taken', () => {
    const triage = apply(driveTo('submitted'), start(undefined, { coordinator: 'Procesregisseur A' }));
    expect(triage.context.record.regisseur).toBeNull();
    expect(triage.context.record.triageStart).toEqual({ type: 'START_TRIAGE', coordinator: 'Procesregisseur A', at: AT });
  });

  it('a bare id never reaches the record: stamping keeps only the resolved person', () => {
    const unresolved = stamp(EVENT_SCHEMAS.START_TRIAGE.parse({ type: 'START_TRIAGE', regisseur: ANNA.userId }) as ReferralEvent, AT, () => 'x');
    expect(unresolved).toEqual({ type: 'START_TRIAGE', at: AT });
  });

  it('a record of before 2.2.0 reads as one without a regisseur', () => {
    const old = driveTo('triage');
    const { regisseur: _gone, ...record } = old.context.record;
    expect(recordOf({ ...old, context: { ...old.context, record: record as never } }).regisseur).toBeNull();
  });
});
