/**
 * The HTTP contract of the case routes: query, params and response schemas. Request bodies are
 * the machine's own schemas (machines/referral.schemas.ts); nothing here restates them.
 */
import { z } from 'zod';
import { LIFECYCLE_STATES } from '../../machines/referral.machine.ts';
import {
  CaseSubmissionSchema,
  ESCALATION_TARGETS,
  EVENT_SCHEMAS,
  EventTypeSchema,
  HELP_ITEM_STATUSES,
  HelpItemSchema,
} from '../../machines/referral.schemas.ts';

const at = z.iso.datetime().describe('When the service received it (UTC)');
const stamped = <T extends z.ZodObject>(schema: T) => schema.extend({ at });
const StateSchema = z.enum(LIFECYCLE_STATES).meta({ id: 'LifecycleState' });

export const DeadlineSchema = z.object({ name: z.string(), dueAt: z.iso.datetime() })
  .meta({ id: 'Deadline' });

const day = z.iso.date();

export const HelpItemStateSchema = z.object({
  id: z.uuid(),
  kind: HelpItemSchema.shape.kind,
  description: z.string(),
  responsibleOrganisation: z.string(),
  waitingWeeks: z.number(),
  waitingWeeksSource: HelpItemSchema.shape.waitingWeeksSource,
  status: z.enum(HELP_ITEM_STATUSES)
    .describe('advised at the advice; arranged (a decision or allocation), started, not_started, stopped'),
  statusSince: day,
  history: z.array(z.object({
    status: z.enum(HELP_ITEM_STATUSES),
    date: day.describe('The day of the change as reported'),
    at: at.describe('When it was recorded'),
    reason: z.string().optional(),
    decision: z.object({ date: day, by: z.string() }).optional(),
  })),
}).meta({ id: 'HelpItemState' });

export const EscalationViewSchema = z.object({
  status: z.enum(['open', 'answered']),
  to: z.enum(ESCALATION_TARGETS),
  target: z.string(),
  question: z.string(),
  since: at.describe('When the escalation was sent'),
  dueAt: z.iso.datetime().nullable().describe('When the escalation deadline passes; null once answered'),
  outcome: stamped(EVENT_SCHEMAS.RECORD_ESCALATION_OUTCOME).omit({ type: true }).nullable(),
}).meta({ id: 'Escalation' });

/** An advice as the record keeps it: each help item with the id the advice gave it (none before 2.0.0). */
const StampedAdviceSchema = stamped(EVENT_SCHEMAS.ISSUE_ADVICE).extend({
  helpItems: z.array(HelpItemSchema.extend({ id: z.uuid().optional() })),
});

/** How machine 1.0.0 recorded an escalation: it closed the case. */
const ClosingEscalationSchema = z.object({
  type: z.literal('ESCALATE'), to: z.string(), reason: z.string(), at,
}).describe('Machine 1.0.0 only: the escalation closed the case');

export const CaseRecordSchema = z.object({
  submission: CaseSubmissionSchema,
  submittedAt: at,
  triageStart: stamped(EVENT_SCHEMAS.START_TRIAGE).nullable(),
  informationRequests: z.array(stamped(EVENT_SCHEMAS.REQUEST_INFORMATION)),
  informationAnswers: z.array(stamped(EVENT_SCHEMAS.PROVIDE_INFORMATION)),
  triageDecision: z.union([
    stamped(EVENT_SCHEMAS.ACCEPT), stamped(EVENT_SCHEMAS.DECLINE), stamped(EVENT_SCHEMAS.CONSULT),
  ]).nullable(),
  overlegSchedules: z.array(stamped(EVENT_SCHEMAS.SCHEDULE_OVERLEG)),
  overlegRecords: z.array(stamped(EVENT_SCHEMAS.RECORD_OVERLEG)),
  advices: z.array(StampedAdviceSchema),
  bridgingPlans: z.array(stamped(EVENT_SCHEMAS.SET_BRIDGING_PLAN)),
  progressReports: z.array(stamped(EVENT_SCHEMAS.REPORT_PROGRESS)),
  reassessments: z.array(stamped(EVENT_SCHEMAS.REQUEST_REASSESSMENT)),
  closure: z.union([
    ClosingEscalationSchema, stamped(EVENT_SCHEMAS.WITHDRAW), stamped(EVENT_SCHEMAS.CLOSE),
    stamped(EVENT_SCHEMAS.DECLINE), stamped(EVENT_SCHEMAS.CONSULT),
  ]).nullable(),
  notes: z.array(stamped(EVENT_SCHEMAS.ADD_NOTE)),
  consentUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_CONSENT))
    .describe('Consent changed or withdrawn since the submission, in order; the latest value of each part counts'),
  schoolUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_SCHOOL))
    .describe('The school status since the submission, in order; the latest counts'),
  helpItems: z.array(HelpItemStateSchema).describe('The help items of the latest advice, with their status'),
  helpItemUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_HELP_ITEM)),
  escalations: z.array(stamped(EVENT_SCHEMAS.ESCALATE)),
  escalationOutcomes: z.array(stamped(EVENT_SCHEMAS.RECORD_ESCALATION_OUTCOME)),
}).meta({ id: 'CaseRecord' });

const caseFields = {
  id: z.uuid(),
  state: StateSchema,
  version: z.int().min(1).describe('1 at submission, +1 for every entry in the trail; the ETag'),
  overdue: z.boolean(),
  region: z.string(),
  municipality: z.string(),
  machineVersion: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const CaseSummarySchema = z.object(caseFields).meta({ id: 'CaseSummary' });

export const CaseViewSchema = z.object({
  ...caseFields,
  allowedEvents: z.array(EventTypeSchema).describe('Event types this caller may send now'),
  deadlines: z.array(DeadlineSchema).describe('Open deadlines'),
  overdueDeadlines: z.array(DeadlineSchema).describe('Open deadlines that have passed'),
  helpItems: z.array(HelpItemStateSchema).describe('The help items of the latest advice and where each stands (§5.2)'),
  escalation: EscalationViewSchema.nullable().describe('The latest escalation (§5.3); null when none'),
  data: CaseRecordSchema,
}).meta({ id: 'CaseView' });

export type CaseView = z.output<typeof CaseViewSchema>;
export type CaseSummary = z.output<typeof CaseSummarySchema>;
export type HelpItemView = z.output<typeof HelpItemStateSchema>;
export type EscalationView = z.output<typeof EscalationViewSchema>;

export const CasePageSchema = z.object({
  items: z.array(CaseSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last'),
}).meta({ id: 'CasePage' });

export const TrailSchema = z.object({
  caseId: z.uuid(),
  entries: z.array(z.object({
    seq: z.int(),
    version: z.int(),
    type: z.string().describe('SUBMIT, an event type, or DEADLINE_PASSED'),
    at: z.iso.datetime(),
    actor: z.object({ role: z.string(), organisation: z.string().nullable(), name: z.string() }),
    payload: z.unknown(),
    state: StateSchema,
  })),
}).meta({ id: 'Trail' });
export type Trail = z.infer<typeof TrailSchema>;

export const CaseParamsSchema = z.object({ id: z.string().describe('The case id (a UUID)') });

export const ListQuerySchema = z.object({
  state: StateSchema.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  municipality: z.string().regex(/^GM\d{4}$/).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});
