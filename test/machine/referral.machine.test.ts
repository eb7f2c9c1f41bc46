/**
 * The referral statechart against DESIGN §3: model-based coverage with xstate's graph module,
 * refusals, persisted-snapshot round trips and the machine version. Pure: no database, no app.
 */
import { createActor, transition, type StateValue } from 'xstate';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import {
  LIFECYCLE_STATES,
  lifecycleState,
  REFERRAL_MACHINE_VERSION,
  referralMachine,
  type LifecycleState,
  type ReferralSnapshot,
  type StampedEvent,
} from '../../machines/referral.machine.ts';
import {
  acceptedEvents,
  machineFor,
  ruleBroken,
  step,
  submit,
  type PersistedReferral,
} from '../../machines/referral.ts';
import { EVENT_SCHEMAS, EVENT_TYPES, type EventType } from '../../machines/referral.schemas.ts';
import { everyHelpStarted, followedUp, openEscalation } from '../../machines/referral.rules.ts';
import { events, helpItem } from '../support/fixtures.ts';
import {
  adviceWaiting,
  AT,
  definedTransitions,
  designAccepts,
  designPairs,
  designTriples,
  DESIGN_TRANSITIONS,
  drive,
  driveTo,
  input,
  fixtureEvent,
  pairKey,
  pathTo,
  roundTrip,
  stamp,
  stamped,
  tripleKey,
} from './helpers.ts';

const V = REFERRAL_MACHINE_VERSION;
const sorted = <T>(list: Iterable<T>): T[] => [...list].sort();
const difference = <T>(a: Set<T>, b: Set<T>): T[] => sorted([...a].filter((x) => !b.has(x)));
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

/**
 * The events the graph walks with: one valid fixture of every type, plus an ISSUE_ADVICE whose
 * help item waits one week (more than the default threshold of 0), so both ISSUE_ADVICE targets
 * are reachable, and for the help items of the case's advice every status change (§5.2).
 */
const FIXED_EVENTS: StampedEvent[] = [
  ...EVENT_TYPES.filter((type) => type !== 'UPDATE_HELP_ITEM').map((type) => stamped(type)), adviceWaiting(1),
].map((event) => event.type !== 'ISSUE_ADVICE' ? event
  // Both advices give their help item the same id, so a graph vertex does not depend on which it was.
  : { ...event, helpItems: event.helpItems.map((item) => ({ ...item, id: '00000000-0000-4000-8000-0000000000a1' })) });
/** Commitments (§6.1) with fixed ids, so that a graph vertex does not depend on which event made them. */
const OVERLEG_COMMITMENT = { id: '00000000-0000-4000-8000-0000000000c1', organisation: 'GGZ Noord', action: 'Start the intake', dueAt: '2026-03-01' };
const ESCALATION_COMMITMENT = { id: '00000000-0000-4000-8000-0000000000c2', organisation: 'Gemeente Amsterdam', action: 'Issue the decision', dueAt: '2026-03-01' };
const COMMITMENT_EVENTS: StampedEvent[] = [
  { ...stamped('RECORD_OVERLEG'), commitments: [OVERLEG_COMMITMENT] } as StampedEvent,
  { ...stamped('RECORD_ESCALATION_OUTCOME'), commitments: [ESCALATION_COMMITMENT] } as StampedEvent,
  // Ending while the escalation is open, withdrawing it (§6.1).
  fixtureEvent('CLOSE', AT, { escalationWithdrawn: { reason: 'The family found a place themselves' } }),
  fixtureEvent('DECLINE', AT, { escalationWithdrawn: { reason: 'The question is answered without the BEN' } }),
];

/** Each commitment is made once: a second overleg after a reassessment makes none (the graph stays finite). */
const unmade = (snapshot: ReferralSnapshot) => (event: StampedEvent) =>
  !('commitments' in event) || !(event.commitments ?? []).some((c) =>
    snapshot.context.record.commitments.some((made) => made.id === c.id));

const GRAPH_EVENTS = (snapshot: ReferralSnapshot): StampedEvent[] => [
  ...FIXED_EVENTS,
  ...COMMITMENT_EVENTS.filter(unmade(snapshot)),
  // Settling as done only: not_done takes the same transition (test/machine/loose-ends.test.ts has both).
  ...snapshot.context.record.commitments.map((c) => fixtureEvent('UPDATE_COMMITMENT', AT, { commitmentId: c.id })),
  ...snapshot.context.record.helpItems.flatMap((item) => (['arranged', 'started', 'not_started', 'stopped'] as const)
    .map((status) => fixtureEvent('UPDATE_HELP_ITEM', AT, {
      itemId: item.id, status, decision: status === 'arranged' ? { date: AT.slice(0, 10), by: 'Gemeente Amsterdam' } : undefined,
      reason: status === 'not_started' || status === 'stopped' ? 'The provider has no place after all' : undefined,
    }))),
];
/**
 * The graph's events less those that make or settle commitments: for the simple paths, whose
 * vertices do not say which commitments are open (the shortest paths' vertices do).
 */
const withoutCommitments = (snapshot: ReferralSnapshot): StampedEvent[] => GRAPH_EVENTS(snapshot)
  .filter((e) => e.type !== 'UPDATE_COMMITMENT' && !('commitments' in e && (e.commitments ?? []).length > 0));

/** What the engine would let through: the chart accepts it and no rule is broken (one source: ruleBroken). */
const ALLOWED = (snapshot: ReferralSnapshot, event: StampedEvent) =>
  snapshot.can(event) && (event.type === 'DEADLINE_PASSED' || ruleBroken(event, snapshot.context.record) === undefined);
/**
 * What decides where a case can go next, beyond its lifecycle state: the escalation region, the
 * status of each help item, and whether anything was reported since the advice. A graph vertex
 * keyed by less would merge cases that the rules treat differently.
 */
const modelKey = (snapshot: ReferralSnapshot) => [
  lifecycleState(snapshot.value), escalationOf(snapshot.value),
  snapshot.context.record.helpItems.map((i) => i.status).join(','), followedUp(snapshot.context.record),
  // How many commitments were made and how many are open: what the rules read (§6.1).
  `${snapshot.context.record.commitments.length}/${snapshot.context.record.commitments.filter((c) => c.status === 'open').length}`,
];
/** An edge's event: its type, and whether it withdraws the escalation (a different edge under the rules). */
const eventKey = (event: StampedEvent | undefined) =>
  event === undefined ? null : `${event.type}${'escalationWithdrawn' in event && event.escalationWithdrawn ? '+withdrawn' : ''}`;

/** The escalation region's state: not_yet, none, open or answered. */
const escalationOf = (value: StateValue): string =>
  typeof value === 'object' && typeof value.open === 'object' ? String((value.open as Record<string, StateValue>).escalation) : '-';

type Path = StatePath<ReferralSnapshot, StampedEvent>;

/** The record's lists and the event type each one collects. */
const LIST_FIELDS = {
  informationRequests: 'REQUEST_INFORMATION',
  informationAnswers: 'PROVIDE_INFORMATION',
  overlegSchedules: 'SCHEDULE_OVERLEG',
  overlegRecords: 'RECORD_OVERLEG',
  advices: 'ISSUE_ADVICE',
  bridgingPlans: 'SET_BRIDGING_PLAN',
  progressReports: 'REPORT_PROGRESS',
  reassessments: 'REQUEST_REASSESSMENT',
  notes: 'ADD_NOTE',
} as const satisfies Record<string, EventType>;

/** The (from, event, to) lifecycle edges a path takes. xstate/graph steps hold the state AFTER their event. */
function edgesOf(path: Path): Array<{ from: LifecycleState; event: StampedEvent; to: LifecycleState }> {
  const edges = [];
  for (let i = 1; i < path.steps.length; i++) {
    const before = path.steps[i - 1]!;
    const after = path.steps[i]!;
    edges.push({
      from: lifecycleState(before.state.value),
      event: after.event,
      to: lifecycleState(after.state.value),
    });
  }
  return edges;
}

/** Replays a graph path through the engine's `step`, storing the case as JSON between steps. */
function replay(path: Path): PersistedReferral {
  let persisted = roundTrip(submit(input()).persisted);
  for (const { event, to } of edgesOf(path)) {
    const result = step(V, persisted, event);
    expect(result, `${event.type} on the path ${describe(path)}`).toMatchObject({ outcome: 'applied', state: to });
    if (result.outcome !== 'applied') throw new Error('unreachable');
    persisted = roundTrip(result.persisted);
  }
  return persisted;
  function describe(p: Path) {
    return p.steps.map((s) => s.event.type).join(' → ');
  }
}

describe('model-based coverage (xstate/graph)', () => {
  const defined = definedTransitions(referralMachine);

  it('the machine definition declares exactly the states and transitions of DESIGN §3', () => {
    expect(sorted(defined.states)).toEqual(sorted(LIFECYCLE_STATES));
    expect({ missing: difference(designPairs(), defined.pairs), extra: difference(defined.pairs, designPairs()) })
      .toEqual({ missing: [], extra: [] });
    expect({ missing: difference(designTriples(), defined.triples), extra: difference(defined.triples, designTriples()) })
      .toEqual({ missing: [], extra: [] });
  });

  /*
   * Shortest paths over a graph whose vertices are EDGES (from, event type, to): the shortest path
   * to every vertex ends with that edge, so the set of shortest paths takes every reachable
   * transition at least once. The context (which only grows) is left out of the vertex key: the
   * guards read the event and the constant threshold only, so it never changes where an event leads.
   */
  const edgePaths: Path[] = getShortestPaths(referralMachine, {
    input: input(),
    events: GRAPH_EVENTS,
    filterEvents: ALLOWED,
    serializeState: (snapshot, event, previous) =>
      JSON.stringify([previous ? modelKey(previous) : null, eventKey(event), modelKey(snapshot)]),
  });

  it('reaches every state and takes every transition of the machine definition (100%)', () => {
    const states = new Set<string>();
    const pairs = new Set<string>();
    const triples = new Set<string>();
    for (const path of edgePaths) {
      for (const s of path.steps) states.add(lifecycleState(s.state.value));
      for (const { from, event, to } of edgesOf(path)) {
        pairs.add(pairKey(from, event.type));
        triples.add(tripleKey(from, event.type, to));
      }
    }
    const covered = <T>(seen: Set<T>, all: Set<T>) => [...all].filter((x) => seen.has(x)).length;
    console.log(
      `[referral machine coverage] ${edgePaths.length} shortest paths: ` +
        `states ${covered(states, defined.states)}/${defined.states.size} ` +
        `(${percent(covered(states, defined.states), defined.states.size)}), ` +
        `state×event ${covered(pairs, defined.pairs)}/${defined.pairs.size} ` +
        `(${percent(covered(pairs, defined.pairs), defined.pairs.size)}), ` +
        `state×event×target ${covered(triples, defined.triples)}/${defined.triples.size} ` +
        `(${percent(covered(triples, defined.triples), defined.triples.size)})`,
    );
    expect(difference(defined.states, states)).toEqual([]);
    expect(difference(defined.pairs, pairs)).toEqual([]);
    expect(difference(defined.triples, triples)).toEqual([]);
    // and nothing the definition does not declare
    expect(difference(triples, defined.triples)).toEqual([]);
    // spot checks of the transitions the brief names
    for (const from of ['triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled',
      'advising', 'bridging', 'follow_up'] as const) {
      expect(triples).toContain(tripleKey(from, 'ESCALATE', from));
      expect(triples).toContain(tripleKey(from, 'RECORD_ESCALATION_OUTCOME', from));
    }
    for (const from of LIFECYCLE_STATES.filter((s) => s !== 'closed')) {
      expect(triples).toContain(tripleKey(from, 'WITHDRAW', 'closed'));
    }
    for (const at of LIFECYCLE_STATES) expect(triples).toContain(tripleKey(at, 'ADD_NOTE', at));
    expect(triples).toContain(tripleKey('bridging', 'SET_BRIDGING_PLAN', 'follow_up'));
    expect(triples).toContain(tripleKey('follow_up', 'SET_BRIDGING_PLAN', 'follow_up'));
    expect(triples).toContain(tripleKey('follow_up', 'REQUEST_REASSESSMENT', 'planning_overleg'));
    expect(triples).toContain(tripleKey('advising', 'ISSUE_ADVICE', 'bridging'));
    expect(triples).toContain(tripleKey('advising', 'ISSUE_ADVICE', 'follow_up'));
  });

  it('every shortest path replays through step() with the case stored as JSON, and the record holds its events', () => {
    expect(edgePaths.length).toBeGreaterThanOrEqual(designTriples().size);
    for (const path of edgePaths) {
      const persisted = replay(path);
      // Only the value is compared with the graph: its vertices leave the context out, so the
      // snapshot it keeps per vertex may carry another route's context.
      expect(persisted.value).toEqual(path.state.value);
      const sent = edgesOf(path).map((e) => e.event);
      for (const [field, type] of Object.entries(LIST_FIELDS)) {
        expect(persisted.context.record[field as keyof typeof LIST_FIELDS], field)
          .toEqual(sent.filter((e) => e.type === type));
      }
    }
  }, 180_000); // some 4,000 paths replayed: generous for a busy two-core machine

  /* Simple paths over lifecycle states (no state visited twice): every way through the chart. */
  // Escalations and the help items' side roads are left out here (the shortest paths above take
  // every one of their transitions): with them the number of simple paths explodes.
  const simplePaths: Path[] = getSimplePaths(referralMachine, {
    input: input(),
    events: (snapshot) => withoutCommitments(snapshot).filter((e) =>
      e.type !== 'ESCALATE' && e.type !== 'RECORD_ESCALATION_OUTCOME' &&
      (e.type !== 'UPDATE_HELP_ITEM' || e.status === 'started')),
    filterEvents: ALLOWED,
    // A closing needs follow-up and, with help in place, every help item started (§5.2): the
    // vertex says how far the follow-up is, so a simple path can report and then close.
    serializeState: (snapshot) => JSON.stringify([lifecycleState(snapshot.value),
      followedUp(snapshot.context.record), everyHelpStarted(snapshot.context.record)]),
  });

  it('simple paths end in every state, and each replays through step()', () => {
    const ends = new Set(simplePaths.map((p) => lifecycleState(p.state.value)));
    console.log(
      `[referral machine coverage] ${simplePaths.length} simple paths, ending in ${ends.size}/${LIFECYCLE_STATES.length} states`,
    );
    expect(sorted(ends)).toEqual(sorted(LIFECYCLE_STATES));
    // Every acyclic route to closed: the outcome-based ways out (CLOSE, DECLINE, CONSULT) and the
    // one from every state (WITHDRAW) all appear as last steps; an escalation no longer closes (§5.3).
    const lastIntoClosed = new Set(
      simplePaths
        .filter((p) => lifecycleState(p.state.value) === 'closed')
        .map((p) => p.steps.at(-1)!.event.type),
    );
    expect(sorted(lastIntoClosed)).toEqual(sorted(['CLOSE', 'CONSULT', 'DECLINE', 'WITHDRAW']));
    for (const path of simplePaths) {
      expect(replay(path).value).toEqual(path.state.value);
    }
  });
});

describe('transitions of DESIGN §3', () => {
  it.each(['triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled', 'advising',
    'bridging', 'follow_up'] as const)('ESCALATE from %s keeps the phase, records the escalation and arms its deadline', (from) => {
    const event = stamp(EVENT_SCHEMAS.ESCALATE.parse(events.ESCALATE({ to: 'supra_regional' })), '2026-03-01T08:00:00Z');
    const result = step(V, driveTo(from), event);
    expect(result).toMatchObject({ outcome: 'applied', state: from });
    if (result.outcome !== 'applied') return;
    expect(result.persisted.context.record.escalations).toEqual([{ ...event, to: 'ben' }]);
    expect(result.persisted.context.record.closure).toBeNull();
    expect(result.persisted.context.deadlines.escalation).toBe('2026-03-22T08:00:00.000Z');
    expect(result.timers).toContainEqual(expect.objectContaining({ kind: 'arm', name: 'escalation' }));
  });

  it.each(LIFECYCLE_STATES.filter((s) => s !== 'closed'))('WITHDRAW from %s closes the case', (from) => {
    const event = stamped('WITHDRAW');
    const result = step(V, driveTo(from), event);
    expect(result).toMatchObject({ outcome: 'applied', state: 'closed' });
    if (result.outcome === 'applied') expect(result.persisted.context.record.closure).toEqual(event);
  });

  it.each(LIFECYCLE_STATES)('ADD_NOTE in %s keeps the state and appends the note', (at) => {
    const before = driveTo(at);
    const note = stamp(events.ADD_NOTE({ text: `note in ${at}` }), '2026-04-01T12:00:00Z');
    const result = step(V, before, note);
    expect(result).toMatchObject({ outcome: 'applied', state: at });
    if (result.outcome !== 'applied') return;
    expect(result.persisted.value).toEqual(before.value);
    expect(result.persisted.context.record.notes).toEqual([...before.context.record.notes, note]);
    expect({ ...result.persisted.context.record, notes: [] }).toEqual({ ...before.context.record, notes: [] });
  });

  describe('ISSUE_ADVICE goes to bridging only when a help item waits MORE than the threshold', () => {
    const cases: Array<[threshold: number, waits: number[], target: LifecycleState]> = [
      [0, [0], 'follow_up'],
      [0, [0.5], 'bridging'],
      [0, [0, 0, 3], 'bridging'],
      [4, [4], 'follow_up'],
      [4, [4.01], 'bridging'],
      [4, [1, 2, 4], 'follow_up'],
      [4, [1, 5], 'bridging'],
    ];
    it.each(cases)('threshold %d weeks, waiting %j → %s', (threshold, waits, target) => {
      const before = driveTo('advising', input({ bridgingThresholdWeeks: threshold }));
      const advice = fixtureEvent('ISSUE_ADVICE', AT, { helpItems: waits.map((w) => helpItem(w)) });
      expect(step(V, before, advice)).toMatchObject({ outcome: 'applied', state: target });
    });
  });

  it('SET_BRIDGING_PLAN leads from bridging to follow_up, and in follow_up adds a plan without leaving', () => {
    const planA = stamped('SET_BRIDGING_PLAN');
    const planB = fixtureEvent('SET_BRIDGING_PLAN', '2026-05-01T09:00:00Z', { measures: 'Daily check-in' });
    const first = step(V, driveTo('bridging'), planA);
    expect(first).toMatchObject({ outcome: 'applied', state: 'follow_up' });
    if (first.outcome !== 'applied') return;
    const second = step(V, first.persisted, planB);
    expect(second).toMatchObject({ outcome: 'applied', state: 'follow_up' });
    if (second.outcome === 'applied') {
      expect(second.persisted.context.record.bridgingPlans).toEqual([planA, planB]);
    }
  });

  it('REQUEST_REASSESSMENT loops follow_up → planning_overleg and the second round is recorded beside the first', () => {
    const reassess = stamped('REQUEST_REASSESSMENT');
    const persisted = drive([
      ...pathTo('follow_up'),
      reassess,
      stamped('SCHEDULE_OVERLEG'),
      stamped('RECORD_OVERLEG'),
      adviceWaiting(2),
      stamped('SET_BRIDGING_PLAN'),
    ]);
    expect(lifecycleState(persisted.value)).toBe('follow_up');
    const { record } = persisted.context;
    expect(record.reassessments).toEqual([reassess]);
    expect(record.overlegSchedules).toHaveLength(2);
    expect(record.overlegRecords).toHaveLength(2);
    expect(record.advices).toHaveLength(2);
    expect(record.bridgingPlans).toHaveLength(1);
  });

  it('PROVIDE_INFORMATION returns to triage; questions and answers accumulate', () => {
    const persisted = drive([
      stamped('START_TRIAGE'),
      stamped('REQUEST_INFORMATION'), stamped('PROVIDE_INFORMATION'),
      stamped('REQUEST_INFORMATION'), stamped('PROVIDE_INFORMATION'),
    ]);
    expect(lifecycleState(persisted.value)).toBe('triage');
    expect(persisted.context.record.informationRequests).toHaveLength(2);
    expect(persisted.context.record.informationAnswers).toHaveLength(2);
  });

  it.each(['DECLINE', 'CONSULT'] as const)('%s from triage closes and is kept as decision and closure', (type) => {
    const event = stamped(type);
    const result = step(V, driveTo('triage'), event);
    expect(result).toMatchObject({ outcome: 'applied', state: 'closed' });
    if (result.outcome !== 'applied') return;
    expect(result.persisted.context.record.triageDecision).toEqual(event);
    expect(result.persisted.context.record.closure).toEqual(event);
  });
});

describe('refusals: what a state does not accept leaves it unchanged', () => {
  const refused = LIFECYCLE_STATES.flatMap((state) =>
    EVENT_TYPES.filter((type) => !designAccepts(state).includes(type)).map((type) => [state, type] as const),
  );

  it.each(LIFECYCLE_STATES)('%s accepts exactly the event types of DESIGN §3', (state) => {
    expect(sorted(acceptedEvents(V, roundTrip(driveTo(state))))).toEqual(sorted(designAccepts(state)));
  });

  it.each(refused)('%s refuses %s: step says not_accepted, the pure transition changes nothing', (state, type) => {
    const before = driveTo(state);
    const frozen = roundTrip(before);
    const event = stamped(type);
    const result = step(V, before, event);
    expect(result).toEqual({ outcome: 'not_accepted', state, accepted: expect.any(Array) });
    if (result.outcome === 'not_accepted') expect(sorted(result.accepted)).toEqual(sorted(designAccepts(state)));
    expect(before).toEqual(frozen); // step did not mutate its input

    const machine = machineFor(V);
    const [next] = transition(machine, machine.resolveState(before), event);
    expect(next.value).toEqual(frozen.value);
    expect(next.context).toEqual(frozen.context);
  });

  it('closed accepts only ADD_NOTE', () => {
    const closed = driveTo('closed');
    expect(acceptedEvents(V, closed)).toEqual(['ADD_NOTE']);
    for (const type of EVENT_TYPES.filter((t) => t !== 'ADD_NOTE')) {
      expect(step(V, closed, stamped(type))).toMatchObject({ outcome: 'not_accepted', state: 'closed' });
    }
  });

  it('submitted does not accept ESCALATE (only cases in triage or later can be escalated)', () => {
    const result = step(V, driveTo('submitted'), stamped('ESCALATE'));
    expect(result).toMatchObject({ outcome: 'not_accepted', state: 'submitted' });
    expect(acceptedEvents(V, driveTo('submitted'))).not.toContain('ESCALATE');
  });
});

describe('refusals: an event that breaks an IGJ rule is refused in one place, before the step', () => {
  const cases: Array<[LifecycleState, string, StampedEvent]> = [
    ['planning_overleg', 'PARTICIPATION_REASON_REQUIRED', fixtureEvent('SCHEDULE_OVERLEG', AT, {
      participants: [{ role: 'parents' }, { role: 'professional', organisation: 'GGZ Noord' }],
      notInvited: [{ role: 'youth', reason: '   ' }],
    })],
    ['overleg_scheduled', 'PARTICIPATION_REASON_REQUIRED', fixtureEvent('RECORD_OVERLEG', AT, {
      parents: { participation: 'not_involved' },
    })],
    ['advising', 'FIT_RATIONALE_REQUIRED', fixtureEvent('ISSUE_ADVICE', AT, {
      helpItems: [{ ...helpItem(3), fitRationale: '' }],
    })],
    ['advising', 'FUNDER_REQUIRED', fixtureEvent('ISSUE_ADVICE', AT, {
      helpItems: [{ ...helpItem(0), financing: [{ law: 'wmo', funder: ' ' }] }],
    })],
  ];

  it.each(cases)('%s: step answers %s; the chart repeats no rule as a guard, so the two cannot drift', (state, code, event) => {
    const before = driveTo(state);
    expect(step(V, before, event)).toEqual({ outcome: 'rule_broken', code });
    expect(ruleBroken(event as Exclude<StampedEvent, { type: 'DEADLINE_PASSED' }>, before.context.record))
      .toEqual({ outcome: 'rule_broken', code });
    // Without the pre-check the chart would take the event: the rule lives in one place only.
    const [next] = transition(referralMachine, referralMachine.resolveState(before), event);
    expect(lifecycleState(next.value)).not.toBe(state);
  });
});

describe('persisted snapshots', () => {
  /** A long path through every state, with loops, notes and bridging. */
  const LONG_PATH: StampedEvent[] = [
    stamped('ADD_NOTE', '2026-01-15T09:05:00Z'),
    stamped('START_TRIAGE', '2026-01-16T09:00:00Z'),
    stamped('REQUEST_INFORMATION', '2026-01-17T09:00:00Z'),
    stamped('ADD_NOTE', '2026-01-17T10:00:00Z'),
    stamped('PROVIDE_INFORMATION', '2026-01-18T09:00:00Z'),
    stamped('ACCEPT', '2026-01-19T09:00:00Z'),
    stamped('SCHEDULE_OVERLEG', '2026-01-20T09:00:00Z'),
    stamped('RECORD_OVERLEG', '2026-02-10T16:00:00Z'),
    fixtureEvent('ISSUE_ADVICE', '2026-02-12T09:00:00Z', { helpItems: [helpItem(0), helpItem(8)] }),
    stamped('SET_BRIDGING_PLAN', '2026-02-13T09:00:00Z'),
    stamped('REPORT_PROGRESS', '2026-03-13T09:00:00Z'),
    stamped('REQUEST_REASSESSMENT', '2026-05-13T09:00:00Z'),
    stamped('SCHEDULE_OVERLEG', '2026-05-14T09:00:00Z'),
    stamped('RECORD_OVERLEG', '2026-05-28T09:00:00Z'),
    stamped('ISSUE_ADVICE', '2026-05-29T09:00:00Z'),
    stamped('REPORT_PROGRESS', '2026-07-01T09:00:00Z'),
    fixtureEvent('CLOSE', '2026-08-01T09:00:00Z', { outcome: 'no_longer_needed', explanation: 'The family found help themselves' }),
    stamped('ADD_NOTE', '2026-08-02T09:00:00Z'),
  ];

  function run(path: StampedEvent[], store: (p: PersistedReferral) => PersistedReferral) {
    let persisted = store(submit(input()).persisted);
    const trace: Array<{ state: LifecycleState; value: StateValue }> = [];
    for (const event of path) {
      const result = step(V, persisted, event);
      if (result.outcome !== 'applied') throw new Error(`${event.type}: ${JSON.stringify(result)}`);
      persisted = store(result.persisted);
      trace.push({ state: result.state, value: persisted.value });
    }
    return { persisted, trace };
  }

  it('the persisted form is exactly { value, context } and is plain JSON', () => {
    for (const state of LIFECYCLE_STATES) {
      const persisted = driveTo(state);
      expect(Object.keys(persisted).sort()).toEqual(['context', 'value']);
      expect(roundTrip(persisted)).toEqual(persisted);
      expect(lifecycleState(persisted.value)).toBe(state);
    }
  });

  it('stepping from JSON-restored snapshots gives the same states and the same record as in memory', () => {
    const inMemory = run(LONG_PATH, (p) => p);
    const viaJson = run(LONG_PATH, roundTrip);
    expect(viaJson.trace).toEqual(inMemory.trace);
    expect(viaJson.persisted).toEqual(inMemory.persisted);
    expect(viaJson.trace.map((t) => t.state)).toEqual([
      'submitted', 'triage', 'awaiting_information', 'awaiting_information', 'triage',
      'planning_overleg', 'overleg_scheduled', 'advising', 'bridging', 'follow_up', 'follow_up',
      'planning_overleg', 'overleg_scheduled', 'advising', 'follow_up', 'follow_up', 'closed', 'closed',
    ]);
    const { record } = viaJson.persisted.context;
    expect(record.notes.map((n) => n.at)).toEqual(['2026-01-15T09:05:00Z', '2026-01-17T10:00:00Z', '2026-08-02T09:00:00Z']);
    expect(record.closure).toEqual(LONG_PATH[16]);
    expect(record.submission).toEqual(input().submission);
    expect(viaJson.persisted.context.env.bridgingThresholdWeeks).toBe(0);
  });

  it('the same path through a running xstate actor ends in the same state and record', () => {
    const actor = createActor(referralMachine, { input: input() }).start();
    for (const event of LONG_PATH) actor.send(event);
    const snapshot = actor.getSnapshot();
    actor.stop();
    const viaJson = run(LONG_PATH, roundTrip);
    expect(viaJson.persisted.value).toEqual(snapshot.value);
    // A live actor keeps the env of its input (the engine hands a fresh one to every step), so
    // only the record is compared, not the deadlines computed from the time.
    expect(viaJson.persisted.context.record).toEqual(roundTrip(snapshot.context.record));
  });

  it.each(LIFECYCLE_STATES)('a case in %s restored from JSON continues exactly like the original', (state) => {
    const original = driveTo(state);
    const restored = roundTrip(original);
    expect(acceptedEvents(V, restored)).toEqual(acceptedEvents(V, original));
    for (const type of designAccepts(state)) {
      const event = type === 'ISSUE_ADVICE' ? adviceWaiting(1) : stamped(type, AT);
      expect(step(V, restored, event)).toEqual(step(V, original, event));
    }
  });

  it('a resolved snapshot of the restored form matches the lifecycle state', () => {
    const restored = roundTrip(driveTo('overleg_scheduled'));
    const snapshot = referralMachine.resolveState(restored);
    expect(snapshot.matches({ open: { phase: { working: 'overleg_scheduled' } } })).toBe(true);
    expect(snapshot.context).toEqual(restored.context);
  });
});

describe('machine version', () => {
  it('the machine declares a version and REFERRAL_MACHINE_VERSION equals it', () => {
    expect(referralMachine.version).toBeDefined();
    expect(referralMachine.version).toBe(REFERRAL_MACHINE_VERSION);
    expect(REFERRAL_MACHINE_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('machineFor knows the current version and refuses an unknown one', () => {
    expect(machineFor(REFERRAL_MACHINE_VERSION)).toBe(referralMachine);
    expect(() => machineFor('0.0.0-unknown')).toThrow(/unknown referral machine version/);
    expect(() => step('0.0.0-unknown', driveTo('triage'), stamped('ACCEPT'))).toThrow();
  });
});

// Keep the contract table honest: it names only real event types and real states.
it('the DESIGN §3 table used by these tests names only real event types and states', () => {
  for (const [state, row] of Object.entries(DESIGN_TRANSITIONS)) {
    expect(LIFECYCLE_STATES).toContain(state);
    for (const [type, targets] of Object.entries(row)) {
      expect(EVENT_TYPES).toContain(type as EventType);
      for (const t of targets ?? []) expect(LIFECYCLE_STATES).toContain(t);
    }
  }
});

describe('lifecycle invariants over every path the graphs walk (§5.2, §5.3)', () => {
  const graph = { input: input(), events: GRAPH_EVENTS, filterEvents: ALLOWED };
  // The shortest path to every (state, escalation, help items, follow-up) edge, and every simple
  // path over (state, follow-up, help started): each step of each is checked.
  const paths: Path[] = [
    ...getShortestPaths(referralMachine, {
      ...graph,
      serializeState: (snapshot, event, previous) =>
        JSON.stringify([previous ? modelKey(previous) : null, eventKey(event), modelKey(snapshot)]),
    }),
    ...getSimplePaths(referralMachine, {
      ...graph,
      events: withoutCommitments,
      serializeState: (snapshot) => JSON.stringify([lifecycleState(snapshot.value),
        followedUp(snapshot.context.record), everyHelpStarted(snapshot.context.record)]),
    }),
  ];

  /** Checks `property` on every path; prints on how many it was checked. */
  function holdsOnEveryPath(name: string, property: (path: Path) => void) {
    for (const path of paths) property(path);
    console.log(`[lifecycle invariant] ${name}: checked on ${paths.length} paths ` +
      `(${paths.reduce((n, p) => n + p.steps.length, 0)} steps)`);
  }

  it('the paths settle commitments and end cases with the escalation withdrawn', () => {
    const types = new Set(paths.flatMap((p) => p.steps.map((s) => s.event.type)));
    expect(types).toContain('UPDATE_COMMITMENT');
    const withdrawnEndings = paths.flatMap((p) => p.steps).filter((s) =>
      (s.event as { escalationWithdrawn?: unknown }).escalationWithdrawn !== undefined && lifecycleState(s.state.value) === 'closed');
    expect(withdrawnEndings.length).toBeGreaterThan(0);
  });

  it('no case is closed as help_in_place unless every help item has started', () => {
    holdsOnEveryPath('help_in_place only with every item started', (path) => {
      for (const { state } of path.steps) {
        const { closure, helpItems } = state.context.record;
        if (closure?.type === 'CLOSE' && closure.outcome === 'help_in_place') {
          expect(helpItems.every((i) => i.status === 'started')).toBe(true);
        }
      }
    });
  });

  it('every advice with a wait above the threshold passes a bridging plan before follow-up', () => {
    holdsOnEveryPath('a long wait passes bridging', (path) => {
      for (let i = 1; i < path.steps.length; i++) {
        const { event, state } = path.steps[i]!;
        if (event.type === 'ISSUE_ADVICE' && event.helpItems.some((h) => h.waitingWeeks > 0)) {
          expect(lifecycleState(state.value)).toBe('bridging');
        }
        if (lifecycleState(state.value) === 'follow_up' && lifecycleState(path.steps[i - 1]!.state.value) === 'bridging') {
          expect(event.type).toBe('SET_BRIDGING_PLAN');
        }
      }
    });
  });

  it('from every state but closed, closed can be reached (WITHDRAW is never held back)', () => {
    const withdraw = stamped('WITHDRAW');
    holdsOnEveryPath('closed reachable', (path) => {
      for (const { state } of path.steps) {
        if (lifecycleState(state.value) !== 'closed') expect(ALLOWED(state, withdraw)).toBe(true);
      }
    });
  });

  it('no case is closed with an open escalation or an open commitment (§6.1)', () => {
    holdsOnEveryPath('closed leaves nothing open', (path) => {
      for (const { state } of path.steps) {
        if (lifecycleState(state.value) !== 'closed') continue;
        const { record } = state.context;
        const closure = record.closure as { type: string; escalationWithdrawn?: unknown } | null;
        const withdrawn = closure?.type === 'WITHDRAW' || closure?.escalationWithdrawn !== undefined;
        expect(openEscalation(record) === undefined || withdrawn).toBe(true);
        expect(record.commitments.filter((c) => c.status === 'open')).toEqual([]);
      }
    });
  });

  it('every open commitment has its own deadline until it is settled (§6.1)', () => {
    let seen = 0;
    holdsOnEveryPath('an open commitment has a deadline', (path) => {
      for (const { state } of path.steps) {
        for (const c of state.context.record.commitments) {
          const due = state.context.deadlines[`commitment:${c.id}`];
          if (c.status === 'open') {
            seen++;
            expect(due).toBe(new Date(Date.parse(`${c.dueAt}T00:00:00+01:00`) + 86_400_000).toISOString());
          } else expect(due).toBeUndefined();
        }
      }
    });
    expect(seen, 'the paths hold open commitments').toBeGreaterThan(0);
  });

  it('an open escalation always has a deadline, and no deadline stays armed in closed', () => {
    holdsOnEveryPath('open escalation has a deadline; closed has none', (path) => {
      for (const { state } of path.steps) {
        if (escalationOf(state.value) === 'open') expect(state.context.deadlines.escalation).toBeDefined();
        if (lifecycleState(state.value) === 'closed') expect(state.context.deadlines).toEqual({});
      }
    });
  });
});
