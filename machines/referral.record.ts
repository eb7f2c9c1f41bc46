/**
 * The record a case holds, as zod schemas: the submission and every decision since as stamped
 * events, and where each help item of the advice stands. One source for the machine's record type
 * (referral.types.ts infers it from here) and for the record the case view shows
 * (src/cases/case-contract.ts), so the two cannot drift apart.
 */
import { z } from 'zod';
import {
  CaseSubmissionSchema,
  EVENT_SCHEMAS,
  HELP_ITEM_STATUSES,
  HelpItemSchema,
  OFFER_KINDS,
} from './referral.schemas.ts';

export const at = z.iso.datetime().describe('When the service received it (UTC)');
/** An event as the record keeps it: its payload and the time the engine received it. */
export const stamped = <S extends z.core.$ZodShape, C extends z.core.$ZodObjectConfig>(schema: z.ZodObject<S, C>) =>
  schema.extend({ at });
const day = z.iso.date();

export const HelpItemChangeSchema = z.object({
  status: z.enum(HELP_ITEM_STATUSES),
  date: day.describe('The day of the change as reported (for advised: the day of the advice)'),
  at: at.describe('When it was recorded'),
  reason: z.string().optional(),
  decision: z.object({ date: day, by: z.string() }).optional(),
});

/** A help item of the current advice, followed until its help has started (§5.2). */
export const HelpItemStateSchema = z.object({
  id: z.uuid(),
  kind: HelpItemSchema.shape.kind,
  description: z.string(),
  responsibleOrganisation: z.string(),
  waitingWeeks: z.number().describe('The waiting time at the advice'),
  waitingWeeksSource: HelpItemSchema.shape.waitingWeeksSource,
  offerId: z.uuid().optional().describe('The offer of the register the item names (§6.4)'),
  offer: z.lazy(() => OfferRefSchema).optional(),
  helpKind: HelpItemSchema.shape.helpKind,
  noOfferBecause: z.string().optional().describe('Why no existing offer fits (a custom arrangement)'),
  status: z.enum(HELP_ITEM_STATUSES)
    .describe('advised at the advice; arranged (a decision or allocation), started, not_started, stopped'),
  statusSince: day,
  history: z.array(HelpItemChangeSchema),
}).meta({ id: 'HelpItemState' });

export const COMMITMENT_STATUSES = ['open', 'done', 'not_done', 'withdrawn'] as const;

/** A commitment (afspraak) of the overleg or of an escalation's outcome, followed until settled (§6.1). */
export const CommitmentStateSchema = z.object({
  id: z.uuid(),
  source: z.enum(['overleg', 'escalation']).describe('Made at the overleg, or in an escalation\'s outcome'),
  organisation: z.string(),
  action: z.string(),
  dueAt: day.describe('By which day; its deadline passes at the end of it'),
  status: z.enum(COMMITMENT_STATUSES)
    .describe('open until settled; done or not_done by UPDATE_COMMITMENT; withdrawn with the case'),
  settledOn: day.nullable().describe('The day it was done or found not done; null while open'),
  reason: z.string().nullable().describe('Why not done, or why withdrawn'),
  madeAt: at.describe('When the overleg or the outcome that made it was recorded'),
}).meta({ id: 'CommitmentState' });

/** Who runs the case (§6.3): a person of the expert team, by id, with the name they had when assigned. */
export const RegisseurSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
}).meta({ id: 'Regisseur' });

/** A commitment as its event keeps it: with the id the engine gave it (none before 2.1.0). */
const StampedCommitmentSchema = z.object({
  organisation: z.string(), action: z.string(), dueAt: day, id: z.uuid().optional(),
});

/** The offer an item named, as the register had it at the advice (§6.4). */
export const OfferRefSchema = z.object({
  provider: z.string(),
  name: z.string(),
  kind: z.enum(OFFER_KINDS),
  measuredAt: day.nullable().describe('The day the waiting time the item carries was measured; null when none was reported'),
}).meta({ id: 'OfferRef' });

/**
 * An advice as the record keeps it: each help item with the id the advice gave it (none before
 * 2.0.0), and for an item naming an offer the offer as the register had it (§6.4).
 */
const StampedAdviceSchema = stamped(EVENT_SCHEMAS.ISSUE_ADVICE).extend({
  helpItems: z.array(HelpItemSchema.safeExtend({ id: z.uuid().optional(), offer: OfferRefSchema.optional() })),
});

/** How machine 1.0.0 recorded an escalation: it closed the case. */
const ClosingEscalationSchema = z.object({
  type: z.literal('ESCALATE'), to: z.string(), reason: z.string(), at,
}).describe('Machine 1.0.0 only: the escalation closed the case');

export const CaseRecordSchema = z.object({
  submission: CaseSubmissionSchema,
  submittedAt: at,
  triageStart: stamped(EVENT_SCHEMAS.START_TRIAGE).extend({
    regisseur: RegisseurSchema.optional().describe('Who was made regisseur by starting the triage (§6.3)'),
  }).nullable(),
  informationRequests: z.array(stamped(EVENT_SCHEMAS.REQUEST_INFORMATION)),
  informationAnswers: z.array(stamped(EVENT_SCHEMAS.PROVIDE_INFORMATION)),
  triageDecision: z.union([
    stamped(EVENT_SCHEMAS.ACCEPT), stamped(EVENT_SCHEMAS.DECLINE), stamped(EVENT_SCHEMAS.CONSULT),
  ]).nullable(),
  overlegSchedules: z.array(stamped(EVENT_SCHEMAS.SCHEDULE_OVERLEG)),
  overlegRecords: z.array(stamped(EVENT_SCHEMAS.RECORD_OVERLEG).extend({
    commitments: z.array(StampedCommitmentSchema).optional(),
  })),
  advices: z.array(StampedAdviceSchema),
  bridgingPlans: z.array(stamped(EVENT_SCHEMAS.SET_BRIDGING_PLAN)),
  progressReports: z.array(stamped(EVENT_SCHEMAS.REPORT_PROGRESS)),
  reassessments: z.array(stamped(EVENT_SCHEMAS.REQUEST_REASSESSMENT)),
  closure: z.union([
    ClosingEscalationSchema, stamped(EVENT_SCHEMAS.WITHDRAW), stamped(EVENT_SCHEMAS.CLOSE),
    stamped(EVENT_SCHEMAS.DECLINE), stamped(EVENT_SCHEMAS.CONSULT),
  ]).nullable().describe('How the case closed'),
  notes: z.array(stamped(EVENT_SCHEMAS.ADD_NOTE)),
  consentUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_CONSENT))
    .describe('Consent changed or withdrawn since the submission, in order; the latest value of each part counts'),
  schoolUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_SCHOOL))
    .describe('The school status since the submission, in order; the latest counts'),
  helpItems: z.array(HelpItemStateSchema).describe('The help items of the latest advice, with their status'),
  helpItemUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_HELP_ITEM)),
  escalations: z.array(stamped(EVENT_SCHEMAS.ESCALATE))
    .describe('Escalations (§5.3): the case stays in its phase while one is open'),
  escalationOutcomes: z.array(stamped(EVENT_SCHEMAS.RECORD_ESCALATION_OUTCOME).extend({
    commitments: z.array(StampedCommitmentSchema).optional(),
  })),
  commitments: z.array(CommitmentStateSchema)
    .describe('The commitments of the overleg and of escalation outcomes (machine 2.1.0), each with its status'),
  commitmentUpdates: z.array(stamped(EVENT_SCHEMAS.UPDATE_COMMITMENT)),
  regisseur: RegisseurSchema.extend({ at: at.describe('When they were made regisseur') }).nullable()
    .describe('The regisseur as last assigned (START_TRIAGE or ASSIGN, §6.3); null when none was. The case view\'s ' +
      'regisseur says whether they still are one'),
}).meta({ id: 'CaseRecord' });
