import fc from 'fast-check';
import { transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, referralMachine, type StampedEvent } from '../../machines/referral.machine.ts';
import { pureTransition, resolveSnapshot } from '../../machines/referral.ts';
import { EVENT_TYPES } from '../../machines/referral.schemas.ts';
import { adviceWaiting, driveTo, stamped } from './helpers.ts';

/** What a transition yields, in comparable form. */
const outcome = ([snapshot, actions]: [{ value: unknown; context: unknown }, { type: string; params?: unknown }[]]) =>
  JSON.parse(JSON.stringify({ value: snapshot.value, context: snapshot.context,
    actions: actions.map((a) => ({ type: a.type, params: a.params })) }));

describe('pureTransition (one reused inert scope)', () => {
  it("equals XState's transition() for every state and event, including refused ones and deadline timers", () => {
    fc.assert(fc.property(
      fc.constantFrom(...LIFECYCLE_STATES), fc.constantFrom(...EVENT_TYPES, 'ADVICE_WITH_WAIT' as const),
      (state, type) => {
        const persisted = driveTo(state);
        const snapshot = referralMachine.resolveState(persisted);
        const event: StampedEvent = type === 'ADVICE_WITH_WAIT' ? adviceWaiting(2) : stamped(type);
        expect(outcome(pureTransition(referralMachine, snapshot, event)))
          .toEqual(outcome(transition(referralMachine, snapshot, event)));
      },
    ), { numRuns: 300 });
  });

  it('keeps no state between calls: a step gives the same result before and after many others', () => {
    const snapshot = referralMachine.resolveState(driveTo('follow_up'));
    const event = stamped('REPORT_PROGRESS');
    const first = outcome(pureTransition(referralMachine, snapshot, event));
    for (const state of LIFECYCLE_STATES) {
      pureTransition(referralMachine, referralMachine.resolveState(driveTo(state)), stamped('ADD_NOTE'));
    }
    expect(outcome(pureTransition(referralMachine, snapshot, event))).toEqual(first);
    // A report meets the checkpoint and starts it again (the reassessment waits for the help items, §5.2).
    expect(first.actions.map((a: { type: string }) => a.type)).toEqual(['xstate.cancel', 'xstate.raise']);
  });
});

describe('resolveSnapshot (state nodes resolved once per state value)', () => {
  /** Everything a snapshot holds but its methods, with the active nodes by id. */
  const shape = (s: ReturnType<typeof referralMachine.resolveState>) => ({
    value: s.value, context: s.context, status: s.status, output: s.output, error: s.error,
    children: s.children, historyValue: s.historyValue, tags: [...s.tags].sort(),
    nodes: s._nodes.map((n) => n.id).sort(), machine: s.machine === referralMachine,
  });

  it('equals resolveState for every state, reached in any order, and its transitions equal too', () => {
    fc.assert(fc.property(
      fc.constantFrom(...LIFECYCLE_STATES), fc.constantFrom(...EVENT_TYPES),
      (state, type) => {
        const persisted = driveTo(state);
        const resolved = resolveSnapshot(referralMachine, persisted.value, persisted.context);
        const reference = referralMachine.resolveState(persisted);
        expect(shape(resolved)).toEqual(shape(reference));
        expect(resolved.matches(reference.value)).toBe(true);
        const event = stamped(type);
        expect(outcome(pureTransition(referralMachine, resolved, event)))
          .toEqual(outcome(pureTransition(referralMachine, reference, event)));
      },
    ), { numRuns: 300 });
  });

  it('gives every call its own context, children and history: a step leaves the next one untouched', () => {
    const persisted = driveTo('follow_up');
    const first = resolveSnapshot(referralMachine, persisted.value, persisted.context);
    pureTransition(referralMachine, first, stamped('REPORT_PROGRESS'));
    const second = resolveSnapshot(referralMachine, persisted.value, { ...persisted.context });
    expect(second.children).not.toBe(first.children);
    expect(second.historyValue).not.toBe(first.historyValue);
    expect(shape(second)).toEqual(shape(referralMachine.resolveState(persisted)));
  });
});
