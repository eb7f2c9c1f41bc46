/**
 * The zod schemas of a referral: the submitted case and every event the statechart accepts.
 * One source: the HTTP routes validate with these, the OpenAPI document is generated from them
 * and the machine is typed by them.
 *
 * Objects are strict: an unknown member is refused, so nobody can slip a name or other personal
 * data into a field the design never asked for.
 *
 * The four fields that carry an IGJ rule (`reason`, `fitRationale`, `financing`, `funder`) accept
 * missing, empty and whitespace-only values here, so that the rule (see referral.rules.ts) can
 * answer with its own 422 code instead of a generic 400.
 */
import { z } from 'zod';
import { cleanString, name, ruleText, text } from './referral.text.ts';

export { cleanString, name, ruleText, text };

const isoDate = () => z.iso.date().describe('ISO 8601 date (YYYY-MM-DD)');
const isoDateTime = () =>
  z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset or Z');

export const ROLES = ['local_team', 'expert_team', 'inspector', 'admin', 'municipality', 'provider'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const PROBLEM_AREAS = [
  'mental_health', 'disability', 'development', 'education', 'family', 'safety',
  'addiction', 'justice', 'housing', 'other',
] as const;
export const DISRUPTIONS = ['organisational', 'legal', 'content', 'conflict'] as const;
export const LAWS = ['jeugdwet', 'wmo', 'wlz', 'zvw', 'onderwijs', 'other'] as const;
const consentValue = z.enum(['given', 'refused', 'not_asked']);
/** How a change of consent reached the expert team (UPDATE_CONSENT.source). */
export const CONSENT_SOURCES = ['in_writing', 'in_person', 'by_phone', 'via_referrer'] as const;
const familyAnswer = z.enum(['agrees', 'partly', 'disagrees', 'not_asked']);
export const WAITING_SOURCES = ['provider', 'waiting_list', 'estimate', 'register'] as const;
/**
 * Kinds of help in the region's offers register (§6.4), fitting Dutch youth care: ambulant help,
 * day treatment, residential care, foster care, mental health treatment, an education-and-care
 * arrangement, other.
 */
export const OFFER_KINDS = [
  'ambulant', 'dagbehandeling', 'verblijf', 'pleegzorg', 'ggz_behandeling', 'onderwijs_zorg', 'other',
] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];
/** Why a help item did not start (§6.4): `capacity` counts as not started for lack of capacity. */
export const NOT_STARTED_REASONS = ['capacity', 'family_choice', 'no_longer_needed', 'other'] as const;

const uniqueList = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((list) => new Set(list).size === list.length, 'values must be unique');

export const AUTHORITIES = ['joint_parents', 'one_parent', 'guardian', 'unknown'] as const;
export const PROTECTION_MEASURES = ['none', 'ots', 'guardianship', 'other'] as const;
export const LEGAL_BASES = [
  'consent', 'statutory_task', 'child_protection_measure', 'meldcode', 'other',
] as const;
export const REASON_CODES = ['safety', 'refused', 'unreachable', 'capacity', 'other'] as const;
export const SCHOOL_STATUSES = ['attending', 'partial', 'not_attending', 'not_applicable'] as const;

/**
 * Why youth or parents were not involved (§5.1): a code the signalering can count, and an
 * explanation (required for `other`, checked by the participation rule). A bare string, as in
 * version 1, is read as `{ code: other, explanation }`.
 */
const ReasonSchema = z
  .union([
    cleanString(2_000),
    z.strictObject({ code: z.enum(REASON_CODES), explanation: ruleText(2_000) }),
  ])
  .transform((r) => (typeof r === 'string' ? { code: 'other' as const, explanation: r } : r))
  .meta({ id: 'Reason' });
export type Reason = z.output<typeof ReasonSchema>;

/**
 * The legal ground for working without the consent R9 asks for (§5.1): a basis from a list and
 * an explanation the consent rule checks. A bare string is read as `{ basis: other, explanation }`.
 */
const LegalGroundSchema = z
  .union([
    cleanString(2_000),
    z.strictObject({ basis: z.enum(LEGAL_BASES), explanation: ruleText(2_000) }),
  ])
  .transform((g) => (typeof g === 'string' ? { basis: 'other' as const, explanation: g } : g))
  .meta({ id: 'LegalGround' });
export type LegalGround = z.output<typeof LegalGroundSchema>;

const SchoolSchema = z
  .strictObject({
    status: z.enum(SCHOOL_STATUSES),
    notAttendingSince: isoDate().optional(),
  })
  .refine((s) => s.status !== 'not_attending' || s.notAttendingSince !== undefined, {
    message: 'required when status is not_attending',
    path: ['notAttendingSince'],
  });

const SubjectSchema = z
  .strictObject({
    reference: text(100).describe('Pseudonymous reference, e.g. the local dossier number'),
    birthMonth: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month: YYYY-MM').optional()
      .describe('Month of birth (YYYY-MM); give this or birthYear'),
    birthYear: z.int().min(1900).max(2200).optional().describe('Year of birth; give this or birthMonth'),
    municipalityCode: z.string().regex(/^GM\d{4}$/, 'a CBS municipality code: GM and 4 digits'),
    extendedCare: z.boolean().optional()
      .describe('Verlengde jeugdhulp: required for a youth who may be 18 or older'),
    authority: z.enum(AUTHORITIES).default('joint_parents')
      .describe('Who has parental authority (gezag); with guardian the consent under parents is the guardian\'s'),
    guardianOrganisation: name().optional()
      .describe('The certified institution (GI); required with a guardian, an OTS or guardianship'),
    protectionMeasure: z.enum(PROTECTION_MEASURES).default('none'),
  })
  .refine((s) => (s.birthMonth === undefined) !== (s.birthYear === undefined), {
    message: 'give exactly one of birthMonth and birthYear',
    path: ['birthMonth'],
    // Also when other members of the subject are wrong, so that a form names every error at once.
    when: ({ value, issues }) => typeof value === 'object' && value !== null &&
      !issues.some((i) => i.path?.[0] === 'birthMonth' || i.path?.[0] === 'birthYear'),
  })
  .refine((s) => !needsGuardianOrganisation(s) || s.guardianOrganisation !== undefined, {
    message: 'required with authority guardian or a protection measure ots or guardianship',
    path: ['guardianOrganisation'],
  });

/** A guardian, or a measure a certified institution (GI) carries out, brings the GI into the case. */
export function needsGuardianOrganisation(
  subject: { authority?: string; protectionMeasure?: string },
): boolean {
  return subject.authority === 'guardian' ||
    subject.protectionMeasure === 'ots' || subject.protectionMeasure === 'guardianship';
}

export const CaseSubmissionSchema = z
  .strictObject({
    referrer: z.strictObject({
      kind: z.enum(['professional', 'parent', 'youth']),
      organisation: name().optional(),
    }),
    subject: SubjectSchema,
    consent: z.strictObject({
      youth: consentValue,
      parents: consentValue,
      legalGround: LegalGroundSchema.optional(),
    }),
    requestForHelp: z.strictObject({
      summary: text(),
      inWordsOfYouth: text().optional(),
      inWordsOfParents: text().optional(),
    }),
    problemAreas: uniqueList(z.enum(PROBLEM_AREAS)).min(1),
    triedSoFar: text(),
    school: SchoolSchema,
    urgency: z.enum(['regular', 'urgent']),
    safetyConcern: z.boolean(),
    safety: z.strictObject({ veiligThuis: z.boolean().describe('Veilig Thuis is involved') }).optional()
      .describe('Required when safetyConcern is true'),
  })
  .refine((c) => !c.safetyConcern || c.safety !== undefined, {
    message: 'required when safetyConcern is true: is Veilig Thuis involved?',
    path: ['safety'],
  })
  .meta({ id: 'CaseSubmission' });
export type CaseSubmission = z.infer<typeof CaseSubmissionSchema>;
/** A submission as a client writes it (defaults unfilled, bare-string reasons allowed). */
export type CaseSubmissionInput = z.input<typeof CaseSubmissionSchema>;

const FindingsSchema = z.strictObject({
  regularRoutesTried: z.boolean(),
  questionClear: z.boolean(),
  urgent: z.boolean(),
});
const ParticipationSchema = z.strictObject({
  participation: z.enum(['present', 'heard_beforehand', 'represented', 'not_involved']),
  reason: ReasonSchema.optional(),
  wish: text().optional(),
});
export const HelpItemSchema = z.strictObject({
  kind: z.enum(['existing_offer', 'custom_arrangement']),
  description: text(),
  provider: name().optional(),
  fitRationale: ruleText(),
  waitingWeeks: z.number().min(0).max(520).optional()
    .describe('Required unless offerId names an offer of the register with a waiting time (whose value then wins)'),
  waitingWeeksSource: z.enum(WAITING_SOURCES).default('estimate')
    .describe('Where the waiting time comes from: the provider, a waiting list, an estimate, or the offers register ' +
      '(register: set by the service when offerId names an offer with a waiting time)'),
  responsibleOrganisation: name(),
  financing: z
    .array(z.strictObject({ law: z.enum(LAWS), funder: ruleText() }))
    .max(20)
    .optional(),
  offerId: z.uuid().optional()
    .describe('An offer of the region\'s register (§6.4): the item then carries the offer\'s latest waiting time'),
  helpKind: z.enum(OFFER_KINDS).optional()
    .describe('The kind of help (the register\'s kinds); taken from the offer when offerId is given'),
  noOfferBecause: ruleText()
    .describe('Required for a custom_arrangement (machine 2.2.0): why no existing offer fits (at least 10 characters, letters among them)'),
})
  .refine((item) => item.waitingWeeks !== undefined || item.offerId !== undefined, {
    message: 'required unless offerId names an offer of the register', path: ['waitingWeeks'],
  })
  .refine((item) => item.waitingWeeksSource !== 'register' || item.offerId !== undefined, {
    message: 'register only with an offerId: the service sets it from the offers register', path: ['waitingWeeksSource'],
  });
export type HelpItem = z.infer<typeof HelpItemSchema>;

/** The help item statuses after the advice (§5.2), and which may follow which. */
export const HELP_ITEM_STATUSES = ['advised', 'arranged', 'started', 'not_started', 'stopped'] as const;
export type HelpItemStatus = (typeof HELP_ITEM_STATUSES)[number];
export const HELP_ITEM_NEXT: Readonly<Record<HelpItemStatus, readonly HelpItemStatus[]>> = {
  advised: ['arranged', 'started', 'not_started'],
  arranged: ['started', 'not_started'],
  started: ['stopped'],
  not_started: [],
  stopped: [],
};

/** Where an escalation goes (§5.3); `supra_regional` of the first release is read as `ben`. */
export const ESCALATION_TARGETS = ['ben', 'municipality_mandate', 'other'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

/**
 * An agreement made at the overleg or in an escalation's outcome (§6.1): who does what, by which
 * day. The engine gives each an id and follows it with a deadline of its own until it is settled.
 */
const CommitmentSchema = z.strictObject({
  organisation: name().describe('Who promised it'),
  action: text().describe('What they will do'),
  dueAt: isoDate().describe('By which day (not before today); the deadline passes at the end of it'),
}).meta({ id: 'Commitment' });
export type Commitment = z.infer<typeof CommitmentSchema>;
const commitments = () => z.array(CommitmentSchema).max(50).optional();

/** How a commitment was settled (§6.1). */
export const COMMITMENT_OUTCOMES = ['done', 'not_done'] as const;

/** With CLOSE, DECLINE or CONSULT: the open escalation is withdrawn, and why (§6.1). */
const EscalationWithdrawnSchema = z.strictObject({
  reason: ruleText().describe('Why the escalation is no longer needed (at least 10 characters, letters among them)'),
}).optional().describe('Required to end the case while its escalation is open: the escalation is then withdrawn');

/**
 * The overleg (§6.3): a real MDO seats youth, parents, the GI and four to six professionals; this
 * many participants (and professionals at the record) is the limit, far above any table.
 */
export const OVERLEG_PARTICIPANTS_MAX = 100;
/** The longest agenda of an overleg: a page of points, not a report. */
export const AGENDA_MAX = 2_000;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape }).meta({ id: eventSchemaId(type) });

/** START_TRIAGE → StartTriageEvent: PascalCase names, as the ADR linter wants for schemas. */
function eventSchemaId(type: string): string {
  const words = type.toLowerCase().split('_');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Event';
}

export const EVENT_SCHEMAS = {
  START_TRIAGE: event('START_TRIAGE', {
    coordinator: name().optional()
      .describe('Free text kept for compatibility; the regisseur (a person of the expert team) is what owns the case'),
    regisseur: z.uuid().optional()
      .describe('The user id of the regisseur (an active expert-team person of the region); by default the person who starts the triage (§6.3)'),
  }),
  REQUEST_INFORMATION: event('REQUEST_INFORMATION', { question: text() }),
  PROVIDE_INFORMATION: event('PROVIDE_INFORMATION', { answer: text() }),
  ACCEPT: event('ACCEPT', { findings: FindingsSchema, rationale: text() }),
  DECLINE: event('DECLINE', {
    findings: FindingsSchema, reason: text(), adviceToReferrer: text(),
    escalationWithdrawn: EscalationWithdrawnSchema,
  }),
  CONSULT: event('CONSULT', { findings: FindingsSchema, advice: text(), escalationWithdrawn: EscalationWithdrawnSchema }),
  SCHEDULE_OVERLEG: event('SCHEDULE_OVERLEG', {
    scheduledAt: isoDateTime(),
    participants: z
      .array(z.strictObject({
        role: z.enum(['youth', 'parents', 'guardian', 'professional'])
          .describe('guardian: the certified institution (GI) of a guardian or protection measure'),
        organisation: name().optional(),
        discipline: name().optional(),
      }))
      .min(1)
      .max(OVERLEG_PARTICIPANTS_MAX)
      .describe(`Who is invited: youth, parents, the GI and any number of professionals (at most ${OVERLEG_PARTICIPANTS_MAX})`),
    agenda: text(AGENDA_MAX).optional()
      .describe(`What the overleg is to discuss (at most ${AGENDA_MAX} characters). File content: never in a mail or the .ics`),
    notInvited: z
      .array(z.strictObject({ role: z.enum(['youth', 'parents', 'guardian']), reason: ReasonSchema.optional() }))
      .max(3)
      .optional(),
  }),
  RECORD_OVERLEG: event('RECORD_OVERLEG', {
    heldAt: isoDateTime(),
    youth: ParticipationSchema,
    parents: ParticipationSchema,
    professionals: z.array(z.strictObject({ organisation: name(), discipline: name() }))
      .min(1)
      .max(OVERLEG_PARTICIPANTS_MAX)
      .describe(`The professionals at the table (at most ${OVERLEG_PARTICIPANTS_MAX}); the console offers those invited`),
    analysis: text(),
    disruptions: uniqueList(z.enum(DISRUPTIONS)),
    commitments: commitments().describe('Agreements made at the overleg (machine 2.1.0 follows each with a deadline)'),
  }),
  ISSUE_ADVICE: event('ISSUE_ADVICE', {
    summary: text(),
    helpItems: z.array(HelpItemSchema).min(1).max(50),
    familyResponse: z.strictObject({
      youth: familyAnswer, parents: familyAnswer, notes: text().optional(),
    }),
  }),
  SET_BRIDGING_PLAN: event('SET_BRIDGING_PLAN', {
    measures: z.union([text(), z.array(text()).min(1).max(50)])
      .describe('What bridges the waiting time: one text or a list of measures'),
    responsibleOrganisation: name(),
    reviewAt: z.union([isoDate(), isoDateTime()]),
  }),
  REPORT_PROGRESS: event('REPORT_PROGRESS', {
    helpStarted: z.boolean(),
    onTrack: z.boolean(),
    familyView: text().optional(),
    notes: text().optional(),
  }),
  REQUEST_REASSESSMENT: event('REQUEST_REASSESSMENT', { reason: text() }),
  ESCALATE: event('ESCALATE', {
    to: z.enum([...ESCALATION_TARGETS, 'supra_regional'])
      .transform((to): EscalationTarget => (to === 'supra_regional' ? 'ben' : to))
      .describe('ben: a bovenregionaal expertisenetwerk (supra_regional is read as ben); municipality_mandate: ' +
        'a mandated official (doorzettingsmacht) of the municipality; other'),
    target: name().describe('Who the escalation goes to, e.g. the BEN or the municipality'),
    question: text().describe('What the region asks of them'),
    reason: text(),
  }),
  RECORD_ESCALATION_OUTCOME: event('RECORD_ESCALATION_OUTCOME', {
    decision: text(),
    decidedBy: name(),
    commitments: commitments().describe('Agreements in the outcome (machine 2.1.0 follows each with a deadline)'),
  }),
  UPDATE_COMMITMENT: event('UPDATE_COMMITMENT', {
    commitmentId: z.uuid().describe('The id the case gave the commitment'),
    status: z.enum(COMMITMENT_OUTCOMES),
    date: isoDate().describe('The day it was done or found not done (not after today)'),
    reason: ruleText().describe('Required with not_done'),
  }),
  UPDATE_HELP_ITEM: event('UPDATE_HELP_ITEM', {
    itemId: z.uuid().describe('The id the advice gave the help item'),
    status: z.enum(['arranged', 'started', 'not_started', 'stopped']),
    date: isoDate().describe('The day of the change (not after today)'),
    reason: ruleText().describe('Required with not_started and stopped'),
    decision: z.strictObject({ date: isoDate(), by: name() }).optional()
      .describe('The decision or allocation that arranged the help'),
    notStartedBecause: z.enum(NOT_STARTED_REASONS).optional()
      .describe('With not_started: why, as a code the supply report counts (capacity: the provider had no place)'),
  }).refine((e) => e.notStartedBecause === undefined || e.status === 'not_started', {
    message: 'only with status not_started', path: ['notStartedBecause'],
  }),
  WITHDRAW: event('WITHDRAW', { reason: text() }),
  CLOSE: event('CLOSE', {
    outcome: z.enum(['help_in_place', 'no_longer_needed', 'other']),
    familyViewOfFit: z.enum(['fits', 'partly', 'does_not_fit', 'not_asked']),
    lessonsLearned: text().optional(),
    explanation: ruleText().describe('Required with outcome no_longer_needed or other: how it ended (machine 2.1.0)'),
    escalationWithdrawn: EscalationWithdrawnSchema,
  }),
  ADD_NOTE: event('ADD_NOTE', { text: text() }),
  UPDATE_CONSENT: event('UPDATE_CONSENT', {
    youth: consentValue.optional(),
    parents: consentValue.optional(),
    legalGround: LegalGroundSchema.optional(),
    source: z.enum(CONSENT_SOURCES).optional()
      .describe('How the consent was given or withdrawn: in writing, in person, by phone, or as the referrer passed it on'),
    reason: text().optional().describe('Why the consent changed, in a few words (the family\'s own reasons stay with them)'),
  }).refine((e) => e.youth !== undefined || e.parents !== undefined || e.legalGround !== undefined, {
    message: 'name at least one of youth, parents and legalGround',
    path: ['youth'],
  }),
  UPDATE_SCHOOL: SchoolSchema.safeExtend({ type: z.literal('UPDATE_SCHOOL') })
    .meta({ id: 'UpdateSchoolEvent' }),
  /** §6.3: the case gets a regisseur (again): any open state, machine 2.1.0 and later. */
  ASSIGN: event('ASSIGN', {
    userId: z.uuid().describe('The user id of the new regisseur: an active expert-team person of the case\'s region'),
  }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
export const EventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export const ReferralEventSchema = z
  .discriminatedUnion('type', Object.values(EVENT_SCHEMAS) as unknown as [
    (typeof EVENT_SCHEMAS)[EventType],
    ...(typeof EVENT_SCHEMAS)[EventType][],
  ])
  .meta({ id: 'ReferralEvent' });

export type ReferralEvent = { [K in EventType]: z.infer<(typeof EVENT_SCHEMAS)[K]> }[EventType];
export type EventOf<T extends EventType> = Extract<ReferralEvent, { type: T }>;
/** An event as a client writes it: bare-string reasons and legal grounds still allowed. */
export type ReferralEventInput = { [K in EventType]: z.input<(typeof EVENT_SCHEMAS)[K]> }[EventType];
export type EventInputOf<T extends EventType> = Extract<ReferralEventInput, { type: T }>;

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_SCHEMAS, value);
}
