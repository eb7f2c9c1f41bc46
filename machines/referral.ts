/**
 * Pure stepping of a referral: what the engine calls. A case is persisted as the state value and
 * context of its snapshot, with the machine version it was created with; `step` restores it,
 * checks the event against the chart and the IGJ rules, and returns the next persisted form.
 */
import {
  getNextTransitions,
  initialTransition,
  transition,
  type StateValue,
} from 'xstate';
import { ruleViolation, type RuleCode } from './referral.rules.ts';
import {
  isEventType,
  type EventType,
} from './referral.schemas.ts';
import {
  lifecycleState,
  REFERRAL_MACHINE_VERSION,
  referralMachine,
  type LifecycleState,
  type ReferralContext,
  type ReferralInput,
  type ReferralMachine,
  type StampedEvent,
} from './referral.machine.ts';

export interface PersistedReferral {
  value: StateValue;
  context: ReferralContext;
}

export type StepResult =
  | { outcome: 'applied'; persisted: PersistedReferral; state: LifecycleState }
  | { outcome: 'not_accepted'; state: LifecycleState; accepted: readonly EventType[] }
  | { outcome: 'rule_broken'; code: RuleCode };

/** Every machine version a stored case may name. A new version is added here, never replaced. */
const MACHINES: Readonly<Record<string, ReferralMachine>> = {
  [REFERRAL_MACHINE_VERSION]: referralMachine,
};

export function machineFor(version: string): ReferralMachine {
  const machine = MACHINES[version];
  if (!machine) throw new Error(`unknown referral machine version ${version}`);
  return machine;
}

export function submit(input: ReferralInput): { persisted: PersistedReferral; state: LifecycleState } {
  const [snapshot] = initialTransition(referralMachine, input);
  return {
    persisted: { value: snapshot.value, context: snapshot.context },
    state: lifecycleState(snapshot.value),
  };
}

const acceptedCache = new Map<string, readonly EventType[]>();

/**
 * The event types the chart accepts in this state, guards aside. They depend on the state alone,
 * so they are computed once per machine version and state.
 */
export function acceptedEvents(version: string, persisted: PersistedReferral): readonly EventType[] {
  const key = `${version}\u0000${JSON.stringify(persisted.value)}`;
  let accepted = acceptedCache.get(key);
  if (!accepted) {
    const snapshot = machineFor(version).resolveState(persisted);
    accepted = [...new Set(getNextTransitions(snapshot).map((t) => t.eventType))].filter(isEventType);
    acceptedCache.set(key, accepted);
  }
  return accepted;
}

export function step(
  version: string,
  persisted: PersistedReferral,
  event: StampedEvent,
): StepResult {
  const accepted = acceptedEvents(version, persisted);
  if (!accepted.includes(event.type)) {
    return { outcome: 'not_accepted', state: lifecycleState(persisted.value), accepted };
  }
  const code = ruleViolation(event);
  if (code) return { outcome: 'rule_broken', code };
  const machine = machineFor(version);
  const [next] = transition(machine, machine.resolveState(persisted), event);
  return {
    outcome: 'applied',
    persisted: { value: next.value, context: next.context },
    state: lifecycleState(next.value),
  };
}
