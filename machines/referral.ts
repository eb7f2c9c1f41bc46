/**
 * Pure stepping of a referral: what the engine calls. A case is persisted as the state value and
 * context of its snapshot, with the machine version it was created with; `step` restores it,
 * checks the event against the chart and the IGJ rules, and returns the next persisted form.
 */
import {
  createActor,
  getNextTransitions,
  initialTransition,
  type AnyActorScope,
  type ExecutableActionObject,
  type StateValue,
} from 'xstate';
import {
  consentHeld, dateOrderBreach, looseEnd, ruleViolation, ruleViolations, unexplainedText, unexplainedTexts,
  WHILE_CONSENT_FAILS, type DateOrderBreach, type RuleCode,
} from './referral.rules.ts';
import {
  isEventType,
  type EventType,
  type ReferralEvent,
} from './referral.schemas.ts';
import { MACHINE_VERSION_1, referralMachineV1 } from './v1/referral.machine.ts';
import { MACHINE_VERSION_2, referralMachineV2 } from './v2/referral.machine.ts';
import {
  lifecycleState,
  MACHINE_VERSION_2_1,
  REFERRAL_MACHINE_VERSION,
  referralMachine,
  type CaseRecord,
  type LifecycleState,
  type ReferralContext,
  type ReferralInput,
  type ReferralMachine,
  type ReferralSnapshot,
  type DeadlinePassedEvent,
  type Regisseur,
  type StampedEvent,
} from './referral.machine.ts';
import type { ReferralEnv } from './referral.deadlines.ts';
import { supplyBreaches, withOffer, type OfferResolution } from './referral.supply.ts';
import type { AdvisedHelpItem } from './referral.types.ts';

export interface PersistedReferral {
  value: StateValue;
  context: ReferralContext;
}

/** A change to the case's durable timers, in the order the machine asked for it. */
export type TimerChange =
  | { kind: 'arm'; name: string; dueAt: string; event: DeadlinePassedEvent }
  | { kind: 'cancel'; name: string };

export type StepResult =
  | { outcome: 'applied'; persisted: PersistedReferral; state: LifecycleState; timers: TimerChange[] }
  | { outcome: 'not_accepted'; state: LifecycleState; accepted: readonly EventType[] }
  /** `breach` names the field where one field breaks it (DATE_ORDER, REASON_REQUIRED, …). */
  | { outcome: 'rule_broken'; code: RuleCode; breach?: DateOrderBreach }
  /** A deadline that was no longer open: nothing to record. */
  | { outcome: 'ignored'; state: LifecycleState };

/**
 * Every machine version a stored case may name. A new version is added here, never replaced:
 * a case is stepped by the version it was created with to its end (DESIGN §5, §6). The older charts
 * take the same stamped events; their records lack what later versions added (see recordOf).
 */
const MACHINES: Readonly<Record<string, ReferralMachine>> = {
  [MACHINE_VERSION_1]: referralMachineV1 as unknown as ReferralMachine,
  [MACHINE_VERSION_2]: referralMachineV2 as unknown as ReferralMachine,
  [MACHINE_VERSION_2_1]: referralMachine,
  [REFERRAL_MACHINE_VERSION]: referralMachine,
};

/**
 * Whether the rules of §6.1 (no loose ends) hold for a case of this machine version: cases of
 * 1.0.0 and 2.0.0 keep stepping as they did (DESIGN §6), so what they accepted they still accept.
 */
export function noLooseEnds(version: string): boolean {
  return version !== MACHINE_VERSION_1 && version !== MACHINE_VERSION_2;
}

/**
 * Whether the rules that 2.2.0 added (§6.3, §6.4) hold for a case of this machine version: a case
 * made before keeps the rules it was made with, though it steps by the same chart (see
 * MACHINE_VERSION_2_1).
 */
export function since22(version: string): boolean {
  return noLooseEnds(version) && version !== MACHINE_VERSION_2_1;
}

export const MACHINE_VERSIONS: readonly string[] = Object.keys(MACHINES);

/** The lists of a record that 2.0.0 and 2.1.0 added. */
const LATER_LISTS = ['consentUpdates', 'schoolUpdates', 'helpItems', 'helpItemUpdates', 'escalations',
  'escalationOutcomes', 'commitments', 'commitmentUpdates'] as const;

/**
 * A case's record with every field of the current version: a 1.0.0 record lacks the consent,
 * school, help item and escalation lists, a 2.0.0 record the commitments, which are then empty.
 * What reads a record (the rules, the case view) reads it through this, so it need not know the
 * version.
 */
export function recordOf(persisted: PersistedReferral): CaseRecord {
  const record = persisted.context.record as Partial<CaseRecord>;
  // A record that has them all (every 2.2.0 case) is returned as it is: readers never change it.
  if (record.regisseur !== undefined && LATER_LISTS.every((list) => record[list] !== undefined)) return record as CaseRecord;
  return {
    consentUpdates: [], schoolUpdates: [], helpItems: [], helpItemUpdates: [], escalations: [],
    escalationOutcomes: [], commitments: [], commitmentUpdates: [], regisseur: null,
    ...record,
  } as CaseRecord;
}

/**
 * An event as the machine takes it: the validated payload, the time, and an id for each help item
 * of an advice and each commitment of an overleg or an escalation's outcome, drawn by `newId` (the
 * engine's UUIDs; the machine stays pure). `offers`: the offers an advice's items name, as the
 * engine found them in the region's register (§6.4): an item then carries the offer and its latest
 * waiting time.
 */
export function stamp(event: ReferralEvent, at: string, newId: () => string,
  offers?: OfferResolution, regisseur?: Regisseur): Exclude<StampedEvent, DeadlinePassedEvent> {
  // §6.3: the person the engine resolved (never the bare id a client sent) is what the case keeps.
  if (event.type === 'START_TRIAGE') {
    const { regisseur: _named, ...rest } = event;
    return { ...rest, ...(regisseur ? { regisseur: { userId: regisseur.userId, name: regisseur.name } } : {}), at };
  }
  if (event.type === 'ASSIGN') return { ...event, name: regisseur?.name ?? '', at };
  if (event.type === 'ISSUE_ADVICE') {
    // The waiting time is there once the rules have let the advice through (referral.supply.ts).
    const helpItems = event.helpItems.map((item) => ({ ...withOffer(item, offers), id: newId() }) as AdvisedHelpItem);
    return { ...event, helpItems, at };
  }
  if ((event.type === 'RECORD_OVERLEG' || event.type === 'RECORD_ESCALATION_OUTCOME') && event.commitments) {
    return { ...event, commitments: event.commitments.map((c) => ({ ...c, id: newId() })), at };
  }
  return { ...event, at } as Exclude<StampedEvent, DeadlinePassedEvent>;
}

export function machineFor(version: string): ReferralMachine {
  const machine = MACHINES[version];
  if (!machine) throw new Error(`unknown referral machine version ${version}`);
  return machine;
}

export function submit(input: ReferralInput): {
  persisted: PersistedReferral; state: LifecycleState; timers: TimerChange[];
} {
  const [snapshot, actions] = initialTransition(referralMachine, input);
  return {
    persisted: { value: snapshot.value, context: snapshot.context },
    state: lifecycleState(snapshot.value),
    timers: timerChanges(actions, input.env.now),
  };
}

const acceptedCache = new Map<string, readonly EventType[]>();

/**
 * The public event types the chart accepts in this state, guards aside. They depend on the state
 * alone, so they are computed once per machine version and state.
 */
export function acceptedEvents(version: string, persisted: PersistedReferral): readonly EventType[] {
  const key = `${version}\u0000${JSON.stringify(persisted.value)}`;
  let accepted = acceptedCache.get(key);
  if (!accepted) {
    const snapshot = machineFor(version).resolveState(persisted);
    accepted = [...new Set((getNextTransitions(snapshot) as { eventType: string }[]).map((t) => t.eventType))].filter(isEventType);
    acceptedCache.set(key, accepted);
  }
  return accepted;
}

/**
 * Applies one event. `env` is the time and the region's current settings, handed to the machine
 * in its context so that deadlines armed by this step use them; without it the case keeps the
 * settings of its last step and the time is the event's.
 */
export function step(
  version: string,
  persisted: PersistedReferral,
  event: StampedEvent,
  env: ReferralEnv = { ...persisted.context.env, now: event.at },
): StepResult {
  const state = lifecycleState(persisted.value);
  if (event.type !== 'DEADLINE_PASSED') {
    const accepted = acceptedEvents(version, persisted);
    if (!accepted.includes(event.type)) return { outcome: 'not_accepted', state, accepted };
    const broken = ruleBroken(event, recordOf(persisted), version);
    if (broken) return broken;
  }
  const machine = machineFor(version);
  const current = resolveSnapshot(machine, persisted.value, { ...persisted.context, env });
  const [next, actions] = pureTransition(machine, current, event);
  if (next.context === current.context && next.value === current.value) {
    return { outcome: 'ignored', state };
  }
  return {
    outcome: 'applied',
    persisted: { value: next.value, context: next.context },
    state: lifecycleState(next.value),
    timers: timerChanges(actions, env.now),
  };
}

/**
 * The first rule a client event breaks, in this order: the consent hold (§5.1: while consent
 * fails, only UPDATE_CONSENT, WITHDRAW and ADD_NOTE go through), the IGJ rules, dates in order,
 * and for a case of 2.1.0 or later the rules of §6.1 (texts that explain, no loose ends).
 */
export function ruleBroken(
  event: Exclude<StampedEvent, DeadlinePassedEvent>, record: ReferralContext['record'],
  version: string = REFERRAL_MACHINE_VERSION,
): Extract<StepResult, { outcome: 'rule_broken' }> | undefined {
  if (!WHILE_CONSENT_FAILS.has(event.type) && consentHeld(record, event.at)) {
    return { outcome: 'rule_broken', code: 'CONSENT_REQUIRED' };
  }
  const strict = noLooseEnds(version);
  // §6.1: a required text that explains nothing is refused before what it would decide.
  const unexplained = strict ? unexplainedText(event as ReferralEvent) : undefined;
  if (unexplained) return { outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: unexplained };
  const code = ruleViolation(event as ReferralEvent, record, event.at);
  if (code) return { outcome: 'rule_broken', code };
  const breach = dateOrderBreach(event as ReferralEvent & { at: string }, record);
  if (breach) return { outcome: 'rule_broken', code: 'DATE_ORDER', breach };
  const loose = strict ? looseEnd(event as ReferralEvent, record) : undefined;
  if (loose) return { outcome: 'rule_broken', code: loose.code, ...(loose.breach ? { breach: loose.breach } : {}) };
  const [supply] = supplyBreaches(event as ReferralEvent, since22(version));
  return supply ? { outcome: 'rule_broken', ...supply } : undefined;
}

/** A rule broken, with the field it concerns where the rule names one. */
export interface RuleBreach {
  code: RuleCode;
  breach?: DateOrderBreach;
}

/**
 * Every rule a client event breaks whose inputs are valid (§6.2: errors in one round), in the
 * order of `ruleBroken`, whose answer is the first of them; the engine refuses with that one (the
 * API's 422 names one rule), a form lists them all. Pure: the event as the schema parsed it,
 * stamped with `at`.
 */
export function rulesBroken(
  event: Exclude<StampedEvent, DeadlinePassedEvent>, record: ReferralContext['record'],
  version: string = REFERRAL_MACHINE_VERSION,
): RuleBreach[] {
  const found: RuleBreach[] = [];
  if (!WHILE_CONSENT_FAILS.has(event.type) && consentHeld(record, event.at)) found.push({ code: 'CONSENT_REQUIRED' });
  const strict = noLooseEnds(version);
  if (strict) for (const breach of unexplainedTexts(event as ReferralEvent)) found.push({ code: 'REASON_REQUIRED', breach });
  for (const code of ruleViolations(event as ReferralEvent, record, event.at)) found.push({ code });
  const breach = dateOrderBreach(event as ReferralEvent & { at: string }, record);
  if (breach) found.push({ code: 'DATE_ORDER', breach });
  const loose = strict ? looseEnd(event as ReferralEvent, record) : undefined;
  if (loose) found.push({ code: loose.code, ...(loose.breach ? { breach: loose.breach } : {}) });
  found.push(...supplyBreaches(event as ReferralEvent, since22(version)));
  return found;
}

const resolved = new WeakMap<ReferralMachine, Map<string, ReferralSnapshot>>();

/**
 * `machine.resolveState({ value, context })`, with the state nodes of each state value resolved
 * once per machine: what resolveState works out (the active nodes, their value, tags and status)
 * depends on the value alone, and it was a tenth of a step's CPU. The snapshot gets its own
 * context and fresh `children` and `historyValue` (XState copies those before changing them, but
 * a snapshot shares nothing it could change). test/machine/pure-transition.test.ts holds it equal
 * to resolveState for every lifecycle state.
 */
export function resolveSnapshot(machine: ReferralMachine, value: StateValue, context: ReferralContext): ReferralSnapshot {
  let byValue = resolved.get(machine);
  if (!byValue) resolved.set(machine, byValue = new Map<string, ReferralSnapshot>());
  const key = typeof value === 'string' ? value : JSON.stringify(value);
  let template = byValue.get(key);
  if (!template) {
    template = machine.resolveState({ value, context: {} as ReferralContext });
    byValue.set(key, template);
  }
  return { ...template, context, children: {}, historyValue: {} } as ReferralSnapshot;
}

const scopes = new WeakMap<ReferralMachine, AnyActorScope>();

/**
 * XState's `transition(machine, snapshot, event)`, with its inert actor scope built once per
 * machine instead of on every call: building it creates an Actor, which was most of a step's CPU
 * (bench/README.md). The referral machine spawns and invokes nothing, so no state is left in the
 * scope between calls; test/machine/pure-transition.test.ts holds it equal to `transition`.
 */
export function pureTransition(
  machine: ReferralMachine, snapshot: ReferralSnapshot, event: StampedEvent,
): [ReferralSnapshot, ExecutableActionObject[]] {
  let scope = scopes.get(machine);
  if (!scope) {
    // As XState's own inert scope: an actor that is never started (its input is never read).
    const self = (createActor as (logic: ReferralMachine) => AnyActorScope['self'])(machine);
    scope = {
      self, system: self.system, id: '', sessionId: '', defer: () => {}, logger: () => {},
      stopChild: () => {}, emit: () => {}, actionExecutor: () => {},
    } as unknown as AnyActorScope;
    scopes.set(machine, scope);
  }
  const actions: ExecutableActionObject[] = [];
  scope.actionExecutor = (action) => void actions.push(action);
  return [machine.transition(snapshot, event, scope as never), actions];
}

/** The delayed raises and cancels among the actions a pure transition returned. */
function timerChanges(actions: readonly { type: string; params?: unknown }[], now: string): TimerChange[] {
  const changes: TimerChange[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const { id, delay, event } = action.params as { id: string; delay: number; event: DeadlinePassedEvent };
      changes.push({ kind: 'arm', name: id, dueAt: new Date(Date.parse(now) + delay).toISOString(), event });
    } else if (action.type === 'xstate.cancel') {
      changes.push({ kind: 'cancel', name: (action.params as { sendId: string }).sendId });
    }
  }
  return changes;
}
