/**
 * Valid payloads for every step of the lifecycle (DESIGN §3), so each test states only what it
 * changes. Built with functions so that no test can mutate another's data.
 */
import {
  CaseSubmissionSchema, type CaseSubmission, type CaseSubmissionInput, type EventInputOf, type EventType,
} from '../../machines/referral.schemas.ts';

export function submission(overrides: Partial<CaseSubmissionInput> = {}): CaseSubmissionInput {
  return {
    referrer: { kind: 'professional', organisation: 'Wijkteam Noord' },
    subject: {
      reference: 'WN-2026-0042', birthYear: 2012, municipalityCode: 'GM0363',
      authority: 'joint_parents', protectionMeasure: 'none',
    },
    consent: { youth: 'given', parents: 'given' },
    requestForHelp: {
      summary: 'Stuck between mental health care and school',
      inWordsOfYouth: 'Ik wil weer naar school',
      inWordsOfParents: 'We weten niet meer waar we moeten aankloppen',
    },
    problemAreas: ['mental_health', 'education'],
    triedSoFar: 'Two providers, both with a waiting list',
    school: { status: 'not_attending', notAttendingSince: '2025-09-01' },
    urgency: 'regular',
    safetyConcern: false,
    ...overrides,
  };
}

/**
 * The day the fixtures' own dates are made for, so that they are in order (§5.1) on whatever day a
 * test sends them: an overleg planned and held "now", a review a month ahead. A test context points
 * it at its manual clock; elsewhere it is the test clock's first day.
 */
export const fixtureClock = { now: (): Date => new Date('2026-01-05T09:00:00Z') };
const nowIso = () => fixtureClock.now().toISOString();
const monthAhead = () => new Date(fixtureClock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);

const findings = { regularRoutesTried: true, questionClear: true, urgent: false };

const helpItem = (waitingWeeks = 0): EventInputOf<'ISSUE_ADVICE'>['helpItems'][number] => ({
  kind: 'custom_arrangement',
  description: 'Home schooling with a youth mental health coach',
  provider: 'Zorgaanbieder Zuid',
  fitRationale: 'Fits the wish to return to school step by step',
  waitingWeeks,
  responsibleOrganisation: 'Gemeente Amsterdam',
  financing: [{ law: 'jeugdwet', funder: 'Gemeente Amsterdam' }, { law: 'onderwijs', funder: 'SWV Amsterdam' }],
  noOfferBecause: 'No offer in the region combines school and care',
});

/** One valid example of every event type. */
export const events: { [T in EventType]: (extra?: Partial<EventInputOf<T>>) => EventInputOf<T> } = {
  START_TRIAGE: (x) => ({ type: 'START_TRIAGE', coordinator: 'Procesregisseur A', ...x }),
  // §6.3: a person that exists only where a test made them; elsewhere the engine refuses 422 UNKNOWN_PERSON.
  ASSIGN: (x) => ({ type: 'ASSIGN', userId: '00000000-0000-4000-8000-00000000a551', ...x }),
  REQUEST_INFORMATION: (x) => ({ type: 'REQUEST_INFORMATION', question: 'Which school was tried?', ...x }),
  PROVIDE_INFORMATION: (x) => ({ type: 'PROVIDE_INFORMATION', answer: 'The local VO school', ...x }),
  ACCEPT: (x) => ({ type: 'ACCEPT', findings, rationale: 'Regular routes are exhausted', ...x }),
  DECLINE: (x) => ({
    type: 'DECLINE', findings: { ...findings, regularRoutesTried: false },
    reason: 'Regular routes not tried', adviceToReferrer: 'Ask the school support team first', ...x,
  }),
  CONSULT: (x) => ({ type: 'CONSULT', findings, advice: 'Combine the two offers already found', ...x }),
  SCHEDULE_OVERLEG: (x) => ({
    type: 'SCHEDULE_OVERLEG',
    scheduledAt: nowIso(),
    participants: [
      { role: 'youth' }, { role: 'parents' },
      { role: 'professional', organisation: 'GGZ Noord', discipline: 'psychiatry' },
    ],
    ...x,
  }),
  RECORD_OVERLEG: (x) => ({
    type: 'RECORD_OVERLEG',
    heldAt: nowIso(),
    youth: { participation: 'present', wish: 'Back to school, not to a clinic' },
    parents: { participation: 'heard_beforehand' },
    professionals: [{ organisation: 'GGZ Noord', discipline: 'psychiatry' }],
    analysis: 'The question is blocked by a dispute about which law pays',
    disruptions: ['organisational', 'legal'],
    ...x,
  }),
  ISSUE_ADVICE: (x) => ({
    type: 'ISSUE_ADVICE',
    summary: 'Custom arrangement combining school and care',
    helpItems: [helpItem(0)],
    familyResponse: { youth: 'agrees', parents: 'partly' },
    ...x,
  }),
  SET_BRIDGING_PLAN: (x) => ({
    type: 'SET_BRIDGING_PLAN',
    measures: ['Weekly contact with the coordinator', 'Two mornings of school with support'],
    responsibleOrganisation: 'Wijkteam Noord',
    reviewAt: monthAhead(),
    ...x,
  }),
  REPORT_PROGRESS: (x) => ({ type: 'REPORT_PROGRESS', helpStarted: true, onTrack: true, ...x }),
  REQUEST_REASSESSMENT: (x) => ({ type: 'REQUEST_REASSESSMENT', reason: 'Help has not started', ...x }),
  ESCALATE: (x) => ({
    type: 'ESCALATE', to: 'ben', target: 'BEN Noord-Nederland',
    question: 'Can the BEN find a place that combines school and care?', reason: 'No fitting help in the region', ...x,
  }),
  RECORD_ESCALATION_OUTCOME: (x) => ({
    type: 'RECORD_ESCALATION_OUTCOME', decision: 'The BEN arranges a combined place from March',
    decidedBy: 'BEN Noord-Nederland', ...x,
  }),
  UPDATE_HELP_ITEM: (x) => ({
    type: 'UPDATE_HELP_ITEM', itemId: PATH_ITEM_ID, status: 'started', date: nowIso().slice(0, 10), ...x,
  }),
  WITHDRAW: (x) => ({ type: 'WITHDRAW', reason: 'Family moved away', ...x }),
  CLOSE: (x) => ({ type: 'CLOSE', outcome: 'help_in_place', familyViewOfFit: 'fits', ...x }),
  ADD_NOTE: (x) => ({ type: 'ADD_NOTE', text: 'Called the school', ...x }),
  UPDATE_COMMITMENT: (x) => ({
    type: 'UPDATE_COMMITMENT', commitmentId: PATH_COMMITMENT_ID, status: 'done', date: nowIso().slice(0, 10), ...x,
  }),
  UPDATE_CONSENT: (x) => ({ type: 'UPDATE_CONSENT', youth: 'given', ...x }),
  UPDATE_SCHOOL: (x) => ({ type: 'UPDATE_SCHOOL', status: 'partial', ...x }),
};

export { helpItem };

/**
 * The itemId of the fixture UPDATE_HELP_ITEM: in a PATH_TO, that step means "every help item of the
 * advice starts" (the test drivers send one UPDATE_HELP_ITEM per item with its real id).
 */
export const PATH_ITEM_ID = '00000000-0000-4000-8000-00000000a11a';

/** The commitmentId of the fixture UPDATE_COMMITMENT: a test names the real id of the case's commitment. */
export const PATH_COMMITMENT_ID = '00000000-0000-4000-8000-0000000c0117';

/** Events that take a new case to the named state, in order (expert team unless noted). */
export const PATH_TO: Record<string, EventType[]> = {
  submitted: [],
  triage: ['START_TRIAGE'],
  awaiting_information: ['START_TRIAGE', 'REQUEST_INFORMATION'],
  planning_overleg: ['START_TRIAGE', 'ACCEPT'],
  overleg_scheduled: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG'],
  advising: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG'],
  follow_up: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE'],
  closed: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE', 'UPDATE_HELP_ITEM', 'CLOSE'],
};

/** A submission as the engine hands it to the machine: parsed by its schema (defaults filled). */
export function parsedSubmission(overrides: Partial<CaseSubmissionInput> = {}): CaseSubmission {
  return CaseSubmissionSchema.parse(submission(overrides));
}
