/**
 * Diagnostics (not part of `npm run bench`): what one `step` of machines/referral.ts costs in
 * CPU, and how much of it is XState's `transition` building a throwaway actor.
 *
 *   node --import tsx --expose-gc bench/xstate-cost.ts
 *
 * XState 5's `transition(machine, snapshot, event)` calls createInertActorScope, which calls
 * createActor(machine); the Actor constructor eagerly computes the machine's *initial* snapshot
 * (running the context factory with no input). For the referral machine the factory reads
 * `input.bridgingThresholdWeeks`, so on every event it throws a TypeError that the Actor
 * swallows. This measures each piece and a variant that reuses one inert actor scope.
 */
import { createActor as createActorTyped, initialTransition, transition, type AnyActor } from 'xstate';
import { referralMachine, REFERRAL_MACHINE_VERSION } from '../machines/referral.machine.ts';
import { step, type PersistedReferral } from '../machines/referral.ts';
import { ManualClock } from '../src/clock.ts';
import { events, submission } from '../test/support/fixtures.ts';
import { gc, round } from './stats.ts';

/** createActor without input, as XState's createInertActorScope calls it. */
const createActor = createActorTyped as unknown as (machine: typeof referralMachine) => AnyActor;

const [initial] = initialTransition(referralMachine, {
  submission: submission(), submittedAt: new ManualClock().now().toISOString(), bridgingThresholdWeeks: 0,
});
const persisted: PersistedReferral = JSON.parse(JSON.stringify({ value: initial.value, context: initial.context }));
const note = { ...events.ADD_NOTE(), at: '2026-01-05T10:00:00.000Z' };
const triage = { ...events.START_TRIAGE(), at: '2026-01-05T10:00:00.000Z' };

function bench(label: string, fn: () => unknown, n = 20_000): number {
  for (let i = 0; i < 2000; i++) fn();
  gc();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  const us = ((performance.now() - t) * 1000) / n;
  console.log(`${label.padEnd(62)} ${round(us, 2).toString().padStart(7)} µs`);
  return us;
}

const probe = createActor(referralMachine);
const probeSnapshot = probe.getSnapshot() as { status: string; error?: unknown };
console.log(`createActor(referralMachine) without input: snapshot status '${probeSnapshot.status}'` +
  (probeSnapshot.error ? ` (${String(probeSnapshot.error)})` : ''));

const resolved = referralMachine.resolveState(persisted);
bench('step(version, persisted, START_TRIAGE) [engine path]', () => step(REFERRAL_MACHINE_VERSION, persisted, triage as never));
bench('step(version, persisted, ADD_NOTE) [engine path]', () => step(REFERRAL_MACHINE_VERSION, persisted, note as never));
bench('  machine.resolveState(persisted)', () => referralMachine.resolveState(persisted));
bench('  xstate transition(machine, resolved, ADD_NOTE)', () => transition(referralMachine, resolved, note as never));
bench('    of which createActor(machine) (inert scope, throws inside)', () => createActor(referralMachine));
bench('    new Error() with stack (for scale)', () => new Error('x'));

// The same transition with one inert actor scope built once and reused (what a fix could do).
const self = createActor(referralMachine);
const scope = {
  self, defer: () => {}, id: '', logger: () => {}, sessionId: '', stopChild: () => {},
  system: self.system, emit: () => {}, actionExecutor: () => {},
};
bench('  machine.transition(resolved, ADD_NOTE, reused scope)', () =>
  referralMachine.transition(resolved, note as never, scope as never));
const a = transition(referralMachine, resolved, note as never)[0];
const b = referralMachine.transition(resolved, note as never, scope as never);
console.log(`reused-scope result equals transition(): ${JSON.stringify({ v: a.value, c: a.context }) ===
  JSON.stringify({ v: b.value, c: b.context })}`);
bench('JSON.parse(snapshot) + JSON.stringify(next) (for scale)', () => JSON.stringify(JSON.parse(JSON.stringify(persisted))));
