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

/** Free text that must say something (trimmed, non-empty). */
const text = (max = 10_000) => z.string().trim().min(1).max(max);
const name = () => text(200);
/** Free text that an IGJ rule checks for content: the schema lets empty values through. */
const ruleText = () => z.string().max(10_000).optional();
const isoDate = () => z.iso.date().describe('ISO 8601 date (YYYY-MM-DD)');
const isoDateTime = () =>
  z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset or Z');

export const ROLES = ['local_team', 'expert_team', 'inspector', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const PROBLEM_AREAS = [
  'mental_health', 'disability', 'development', 'education', 'family', 'safety',
  'addiction', 'justice', 'housing', 'other',
] as const;
export const DISRUPTIONS = ['organisational', 'legal', 'content', 'conflict'] as const;
export const LAWS = ['jeugdwet', 'wmo', 'wlz', 'zvw', 'onderwijs', 'other'] as const;
const consentValue = z.enum(['given', 'refused', 'not_asked']);
const familyAnswer = z.enum(['agrees', 'partly', 'disagrees', 'not_asked']);

const uniqueList = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((list) => new Set(list).size === list.length, 'values must be unique');

export const CaseSubmissionSchema = z
  .strictObject({
    referrer: z.strictObject({
      kind: z.enum(['professional', 'parent', 'youth']),
      organisation: name().optional(),
    }),
    subject: z.strictObject({
      reference: text(100).describe('Pseudonymous reference, e.g. the local dossier number'),
      birthYear: z.int().min(1900).max(2200),
      municipalityCode: z.string().regex(/^GM\d{4}$/, 'a CBS municipality code: GM and 4 digits'),
    }),
    consent: z.strictObject({
      youth: consentValue,
      parents: consentValue,
      legalGround: z.string().max(2_000).optional(),
    }),
    requestForHelp: z.strictObject({
      summary: text(),
      inWordsOfYouth: text().optional(),
      inWordsOfParents: text().optional(),
    }),
    problemAreas: uniqueList(z.enum(PROBLEM_AREAS)).min(1),
    triedSoFar: text(),
    school: z
      .strictObject({
        status: z.enum(['attending', 'partial', 'not_attending', 'not_applicable']),
        notAttendingSince: isoDate().optional(),
      })
      .refine((s) => s.status !== 'not_attending' || s.notAttendingSince !== undefined, {
        message: 'required when status is not_attending',
        path: ['notAttendingSince'],
      }),
    urgency: z.enum(['regular', 'urgent']),
    safetyConcern: z.boolean(),
  })
  .meta({ id: 'CaseSubmission' });
export type CaseSubmission = z.infer<typeof CaseSubmissionSchema>;

const FindingsSchema = z.strictObject({
  regularRoutesTried: z.boolean(),
  questionClear: z.boolean(),
  urgent: z.boolean(),
});
const ParticipationSchema = z.strictObject({
  participation: z.enum(['present', 'heard_beforehand', 'represented', 'not_involved']),
  reason: ruleText(),
  wish: text().optional(),
});
const HelpItemSchema = z.strictObject({
  kind: z.enum(['existing_offer', 'custom_arrangement']),
  description: text(),
  provider: name().optional(),
  fitRationale: ruleText(),
  waitingWeeks: z.number().min(0).max(520),
  responsibleOrganisation: name(),
  financing: z
    .array(z.strictObject({ law: z.enum(LAWS), funder: ruleText() }))
    .max(20)
    .optional(),
});
export type HelpItem = z.infer<typeof HelpItemSchema>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape }).meta({ id: eventSchemaId(type) });

/** START_TRIAGE → StartTriageEvent: PascalCase names, as the ADR linter wants for schemas. */
function eventSchemaId(type: string): string {
  const words = type.toLowerCase().split('_');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Event';
}

export const EVENT_SCHEMAS = {
  START_TRIAGE: event('START_TRIAGE', { coordinator: name() }),
  REQUEST_INFORMATION: event('REQUEST_INFORMATION', { question: text() }),
  PROVIDE_INFORMATION: event('PROVIDE_INFORMATION', { answer: text() }),
  ACCEPT: event('ACCEPT', { findings: FindingsSchema, rationale: text() }),
  DECLINE: event('DECLINE', {
    findings: FindingsSchema, reason: text(), adviceToReferrer: text(),
  }),
  CONSULT: event('CONSULT', { findings: FindingsSchema, advice: text() }),
  SCHEDULE_OVERLEG: event('SCHEDULE_OVERLEG', {
    scheduledAt: isoDateTime(),
    participants: z
      .array(z.strictObject({
        role: z.enum(['youth', 'parents', 'professional']),
        organisation: name().optional(),
        discipline: name().optional(),
      }))
      .min(1)
      .max(100),
    notInvited: z
      .array(z.strictObject({ role: z.enum(['youth', 'parents']), reason: ruleText() }))
      .max(2)
      .optional(),
  }),
  RECORD_OVERLEG: event('RECORD_OVERLEG', {
    heldAt: isoDateTime(),
    youth: ParticipationSchema,
    parents: ParticipationSchema,
    professionals: z.array(z.strictObject({ organisation: name(), discipline: name() }))
      .min(1)
      .max(100),
    analysis: text(),
    disruptions: uniqueList(z.enum(DISRUPTIONS)),
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
  ESCALATE: event('ESCALATE', { to: z.enum(['supra_regional', 'national']), reason: text() }),
  WITHDRAW: event('WITHDRAW', { reason: text() }),
  CLOSE: event('CLOSE', {
    outcome: z.enum(['help_in_place', 'no_longer_needed', 'other']),
    familyViewOfFit: z.enum(['fits', 'partly', 'does_not_fit', 'not_asked']),
    lessonsLearned: text().optional(),
  }),
  ADD_NOTE: event('ADD_NOTE', { text: text() }),
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

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_SCHEMAS, value);
}
