/**
 * Valid payloads for every step of the lifecycle (DESIGN §3), so each test states only what it
 * changes. Built with functions so that no test can mutate another's data.
 */
import type { CaseSubmission, EventOf, EventType } from '../../machines/referral.schemas.ts';

export function submission(overrides: Partial<CaseSubmission> = {}): CaseSubmission {
  return {
    referrer: { kind: 'professional', organisation: 'Wijkteam Noord' },
    subject: { reference: 'WN-2026-0042', birthYear: 2012, municipalityCode: 'GM0363' },
    consent: { youth: 'given', parents: 'given' },
    requestForHelp: {
      summary: 'Stuck between mental health care and school',
      inWordsOfYouth: 'Ik wil weer naar school',
      inWordsOfParents: 'We weten niet meer waar we moeten aankloppen',
    },
    problemAreas: ['mental_health', 'education'],
    triedSoFar: 'Two providers, both with a waiting list',
    school: { status: 'not_attending', notAttendingSince: '2026-05-01' },
    urgency: 'regular',
    safetyConcern: false,
    ...overrides,
  };
}

const findings = { regularRoutesTried: true, questionClear: true, urgent: false };

const helpItem = (waitingWeeks = 0): EventOf<'ISSUE_ADVICE'>['helpItems'][number] => ({
  kind: 'custom_arrangement',
  description: 'Home schooling with a youth mental health coach',
  provider: 'Zorgaanbieder Zuid',
  fitRationale: 'Fits the wish to return to school step by step',
  waitingWeeks,
  responsibleOrganisation: 'Gemeente Amsterdam',
  financing: [{ law: 'jeugdwet', funder: 'Gemeente Amsterdam' }, { law: 'onderwijs', funder: 'SWV Amsterdam' }],
});

/** One valid example of every event type. */
export const events: { [T in EventType]: (extra?: Partial<EventOf<T>>) => EventOf<T> } = {
  START_TRIAGE: (x) => ({ type: 'START_TRIAGE', coordinator: 'Procesregisseur A', ...x }),
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
    scheduledAt: '2026-02-10T14:00:00+01:00',
    participants: [
      { role: 'youth' }, { role: 'parents' },
      { role: 'professional', organisation: 'GGZ Noord', discipline: 'psychiatry' },
    ],
    ...x,
  }),
  RECORD_OVERLEG: (x) => ({
    type: 'RECORD_OVERLEG',
    heldAt: '2026-02-10T15:00:00+01:00',
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
    reviewAt: '2026-03-15',
    ...x,
  }),
  REPORT_PROGRESS: (x) => ({ type: 'REPORT_PROGRESS', helpStarted: true, onTrack: true, ...x }),
  REQUEST_REASSESSMENT: (x) => ({ type: 'REQUEST_REASSESSMENT', reason: 'Help has not started', ...x }),
  ESCALATE: (x) => ({ type: 'ESCALATE', to: 'supra_regional', reason: 'Needs a BEN', ...x }),
  WITHDRAW: (x) => ({ type: 'WITHDRAW', reason: 'Family moved away', ...x }),
  CLOSE: (x) => ({ type: 'CLOSE', outcome: 'help_in_place', familyViewOfFit: 'fits', ...x }),
  ADD_NOTE: (x) => ({ type: 'ADD_NOTE', text: 'Called the school', ...x }),
};

export { helpItem };

/** Events that take a new case to the named state, in order (expert team unless noted). */
export const PATH_TO: Record<string, EventType[]> = {
  submitted: [],
  triage: ['START_TRIAGE'],
  awaiting_information: ['START_TRIAGE', 'REQUEST_INFORMATION'],
  planning_overleg: ['START_TRIAGE', 'ACCEPT'],
  overleg_scheduled: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG'],
  advising: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG'],
  follow_up: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE'],
  closed: ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE', 'CLOSE'],
};
