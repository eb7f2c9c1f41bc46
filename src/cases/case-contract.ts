/**
 * The HTTP contract of the case routes: query, params and response schemas. Request bodies are
 * the machine's own schemas (machines/referral.schemas.ts); nothing here restates them.
 */
import { z } from 'zod';
import { LIFECYCLE_STATES } from '../../machines/referral.machine.ts';
import {
  at, CaseRecordSchema, CommitmentStateSchema, HelpItemStateSchema, RegisseurSchema,
} from '../../machines/referral.record.ts';
import { ESCALATION_TARGETS, EventTypeSchema } from '../../machines/referral.schemas.ts';

export { CaseRecordSchema, HelpItemStateSchema };

const StateSchema = z.enum(LIFECYCLE_STATES).meta({ id: 'LifecycleState' });

export const DeadlineSchema = z.object({
  name: z.string(),
  commitmentId: z.uuid().optional().describe('With name commitment: the commitment it is for'),
  dueAt: z.iso.datetime(),
}).meta({ id: 'Deadline' });

/** How a closed case ended (§6.1); `escalated` only for cases of machine 1.0.0, where an escalation closed the case. */
export const CLOSED_AS = ['declined', 'consulted', 'withdrawn', 'help_in_place', 'no_longer_needed', 'other', 'escalated'] as const;
export type ClosedAs = (typeof CLOSED_AS)[number];

export const EscalationViewSchema = z.object({
  status: z.enum(['open', 'answered', 'withdrawn'])
    .describe('withdrawn: the case ended with it unanswered, by WITHDRAW or with escalationWithdrawn'),
  to: z.enum(ESCALATION_TARGETS),
  target: z.string(),
  question: z.string(),
  since: at.describe('When the escalation was sent'),
  dueAt: z.iso.datetime().nullable().describe('When the escalation deadline passes; null once answered'),
  outcome: CaseRecordSchema.shape.escalationOutcomes.element.omit({ type: true }).nullable(),
  withdrawnReason: z.string().nullable().describe('Why it was withdrawn; null unless withdrawn'),
}).meta({ id: 'Escalation' });

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
  helpItems: z.array(HelpItemStateSchema.extend({
    waitingWeeksNow: z.number().nullable().optional()
      .describe('For an item naming an offer: the offer\'s latest waiting time in the register today (null: none reported); ' +
        'waitingWeeks is the waiting time at the advice (§6.4). In the answer of GET /cases/{id}'),
  })).describe('The help items of the latest advice and where each stands (§5.2)'),
  escalation: EscalationViewSchema.nullable().describe('The latest escalation (§5.3); null when none'),
  commitments: z.array(CommitmentStateSchema)
    .describe('The commitments of the overleg and of escalation outcomes, each with its status (§6.1)'),
  closedAs: z.enum(CLOSED_AS).nullable().describe('How the case ended; null while it is open (§6.1)'),
  notesTotal: z.int().min(0).describe('How many notes the case has. data.notes holds the latest 50 of them, ' +
    'oldest first; GET /cases/{id}/notes pages through all of them'),
  regisseur: RegisseurSchema.nullable().describe('Who runs the case (§6.3): an active expert-team person of the ' +
    'region, made regisseur by START_TRIAGE or ASSIGN; null when there is none, or when they were disabled since'),
  data: CaseRecordSchema,
}).meta({ id: 'CaseView' });

export type CaseView = z.output<typeof CaseViewSchema>;
export type CaseSummary = z.output<typeof CaseSummarySchema>;
export type HelpItemView = z.output<typeof HelpItemStateSchema>;
export type Deadline = z.output<typeof DeadlineSchema>;
export type EscalationView = z.output<typeof EscalationViewSchema>;

export const CasePageSchema = z.object({
  items: z.array(CaseSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last'),
}).meta({ id: 'CasePage' });

/** Who an entry of the trail is by, as the trail shows it. */
export const TrailActorSchema = z.object({ role: z.string(), organisation: z.string().nullable(), name: z.string() });

export const TrailSchema = z.object({
  caseId: z.uuid(),
  entries: z.array(z.object({
    seq: z.int(),
    version: z.int(),
    type: z.string().describe('SUBMIT, an event type, or DEADLINE_PASSED'),
    at: z.iso.datetime(),
    actor: TrailActorSchema,
    payload: z.unknown(),
    state: StateSchema,
  })),
}).meta({ id: 'Trail' });
export type Trail = z.infer<typeof TrailSchema>;

export const NotesPageSchema = z.object({
  items: z.array(z.object({
    version: z.int().describe('The version of the case the note was written at (its trail entry)'),
    text: z.string(),
    at: z.iso.datetime(),
    by: z.object({
      name: z.string().describe('The name of the person (or API client) who wrote the note'),
      organisation: z.string().nullable().describe('On whose behalf they wrote it'),
    }).describe('Who wrote the note, as the trail records it'),
  })).describe('Newest first'),
  total: z.int().min(0).describe('How many notes the case has'),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null on the last'),
}).meta({ id: 'NotesPage' });

export type NotesPage = z.output<typeof NotesPageSchema>;

export const NotesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});

export const CaseParamsSchema = z.object({ id: z.string().describe('The case id (a UUID)') });

export const ListQuerySchema = z.object({
  state: StateSchema.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  municipality: z.string().regex(/^GM\d{4}$/).optional(),
  regisseur: z.uuid().optional().describe('Only the cases this person is regisseur of (§6.3)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});
