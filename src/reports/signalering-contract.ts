/**
 * The HTTP contract of the signalering report: its query and the JSON body, registered as
 * components of the OpenAPI document. Only counts, shares and durations: no case reference and
 * no free text ever appears in a report.
 */
import { z } from 'zod';

const date = (what: string) => z.iso.date()
  .refine((d) => d >= '1900-01-01' && d <= '2999-12-31', 'a date between 1900 and 2999')
  .describe(what);

export const SignaleringQuerySchema = z.object({
  from: date('First day of the period (Europe/Amsterdam), included: the first day of a month. ' +
    'Default: 1 January of the year of `to`.')
    .optional(),
  to: date('Last day of the period (Europe/Amsterdam), included: the last day of a month. ' +
    'Default: the last day of the current month.').optional(),
  region: z.string().min(1).max(64)
    .describe('For a national inspector: one region, or `*` (the default) for all. Others may only name their own.')
    .optional(),
  publication: z.enum(['true', 'false'])
    .describe('`true`: the figures for publication, small counts suppressed (threshold 5). Default `false`: exact ' +
      'counts of the caller\'s scope, for the expert team and inspectors, who may open every file anyway (§6.2).')
    .optional(),
});
export type SignaleringQuery = z.infer<typeof SignaleringQuerySchema>;

const count = z.int().min(0).nullable().describe('null when suppressed');
const suppressed = z.boolean().describe('true when the figure is withheld to protect small numbers');

export const SignaleringCountSchema = z.object({ key: z.string(), count, suppressed })
  .meta({ id: 'SignaleringCount' });

export const SignaleringCellSchema = SignaleringCountSchema.extend({
  breakdowns: z.record(z.string(), z.array(SignaleringCountSchema))
    .describe('This cell split further; each list adds up to this cell\'s count')
    .optional(),
}).meta({ id: 'SignaleringCell' });
const cells = (what: string) => z.array(SignaleringCellSchema).describe(what);

export const SignaleringShareSchema = z.object({
  share: z.number().min(0).max(1).nullable().describe('A fraction (0 to 1, 3 decimals); null when suppressed'),
  suppressed: suppressed.describe('true when the part or the rest is fewer than 5: share times the exact total would give it back'),
}).meta({ id: 'SignaleringShare' });

/** How many values a median (and percentile) is computed from: in the exact figures only. */
const sizeOf = z.int().min(0).optional()
  .describe('How many values underlie the figure; only in the exact figures (not with publication=true)');

export const SignaleringLeadTimeSchema = z.object({
  medianDays: z.number().min(0).nullable(),
  p90Days: z.number().min(0).nullable()
    .describe('null when suppressed, or when fewer than 10 values underlie it (it would be the largest: one child\'s)'),
  suppressed: suppressed.describe('true when fewer than 5 cases underlie the figure'),
  n: sizeOf,
}).meta({ id: 'SignaleringLeadTime' });

/** A total: exact, but for a municipality (§6.4) null when below 5, as a cell of the region's breakdown would be. */
const total = (what: string) => z.int().min(0).nullable()
  .describe(`${what} (exact; for a municipality null when fewer than 5, \`<5\` in CSV)`);

export const SignaleringReportSchema = z.object({
  region: z.string().describe('The region the figures cover, or `*` for all regions'),
  municipality: z.string().optional()
    .describe('For a municipality (role `municipality`): the CBS code whose cases the figures cover, in `region`'),
  period: z.object({
    from: z.iso.date(), to: z.iso.date(), timeZone: z.literal('Europe/Amsterdam'),
    startsAt: z.iso.datetime().describe('First instant of the period (UTC)'),
    endsBefore: z.iso.datetime().describe('First instant after the period (UTC)'),
    asOf: z.iso.date().describe('The day the open-case figures describe: `to`, or today if that is earlier'),
  }),
  generatedAt: z.iso.datetime(),
  publication: z.boolean().describe('Whether these are the figures for publication (small counts suppressed)'),
  suppressionThreshold: z.union([z.literal(0), z.literal(5)])
    .describe('5 for publication: counts below it are suppressed; 0 for the exact figures'),
  submitted: z.object({
    total: total('Cases submitted in the period'),
    byReferrerKind: cells('Who brought the case in'),
    byMunicipality: cells('CBS municipality code of the child'),
    byProblemArea: cells('A case counts once in each of its problem areas'),
  }),
  decisions: z.object({
    total: total('Decisions and closings in the period'),
    byDecision: cells('accepted, declined, consultation_only, escalated, withdrawn, closed ' +
      '(split byOutcome and byFamilyViewOfFit)'),
    closedByHowItEnded: cells('Cases that ended in the period by how they ended (closedAs, §6.1): declined, consulted, ' +
      'withdrawn, help_in_place, no_longer_needed, other, escalated (machine 1.0.0 only)'),
  }),
  openAtEnd: z.object({
    total: total('Cases open at the end of the period'),
    byState: cells('Lifecycle state at the end of the period'),
    bySchoolStatus: cells('School status at the end of the period (the latest UPDATE_SCHOOL, else the ' +
      'submission\'s); not_attending split byDuration: thuiszitters of compulsory school age (5 to 17) more ' +
      'or less than 3 months out of school on the as-of day (the Thuiszitterspact), and outside_school_age'),
  }),
  leadTimes: z.object({
    submissionToTriageDecision: SignaleringLeadTimeSchema,
    acceptanceToOverleg: SignaleringLeadTimeSchema.describe('To the first overleg as held (heldAt)'),
    overlegToAdvice: SignaleringLeadTimeSchema,
    adviceToHelpStarted: SignaleringLeadTimeSchema.describe('To the first progress report with helpStarted'),
  }).describe('Days, nearest-rank median and 90th percentile, of the intervals that ended in the period'),
  overleggen: z.object({
    total: total('Overleggen recorded in the period'),
    youthTookPart: SignaleringShareSchema.describe('Present, heard beforehand or represented'),
    parentsTookPart: SignaleringShareSchema.describe('Present, heard beforehand or represented'),
    byDisruption: cells('Disruption types recorded (verstoringen); an overleg counts once per type'),
    youthNotInvolvedByReason: cells('Why the youth was not involved (safety, refused, unreachable, capacity, ' +
      'other), per overleg where they were not'),
    parentsNotInvolvedByReason: cells('Why the parents were not involved, per overleg where they were not'),
  }),
  advice: z.object({
    advices: total('Advices issued in the period'),
    helpItems: total('Help items in those advices'),
    customArrangements: SignaleringShareSchema.describe('Share of help items that are custom arrangements'),
    withWaitingTime: SignaleringShareSchema.describe('Share of help items with a waiting time'),
    medianWaitingWeeks: z.object({ weeks: z.number().min(0).nullable(), suppressed, n: sizeOf })
      .describe('Median waiting time of the help items that have one'),
    bridgingPlanWhenWaiting: SignaleringShareSchema
      .describe('Of the cases advised a help item with a waiting time, the share with a bridging plan set by the end of the period'),
  }),
  deadlines: z.object({
    total: total('Deadlines that passed in the period'),
    passedByDeadline: cells('Per deadline (triage, overleg, advice, checkpoint, reassessment, bridging_review, ' +
      'escalation, commitment): the cases whose deadline passed in the period'),
    dueForReassessment: z.object({ count, suppressed }).describe('Cases whose help had not started 3 months after the ' +
      'advice, in the period: due for reassessment (the reassessment cell of passedByDeadline)'),
  }).describe('Follow-up: cases that passed a deadline in the period'),
  helpItems: z.object({
    changesByStatus: cells('Help item status changes in the period (§5.2): arranged, started, not_started, stopped'),
    weeksFromAdviceToStart: z.object({ medianWeeks: z.number().nullable(), p90Weeks: z.number().nullable(), suppressed, n: sizeOf })
      .describe('Weeks from the advice to the day a help item started, of the items that started in the period'),
  }),
  escalations: z.object({
    total: total('Escalations sent in the period'),
    byTo: cells('Where they went (§5.3): ben, municipality_mandate, other'),
    byAnswer: cells('As of the end of the period: answered before the escalation deadline passed (in_time), ' +
      'after it (late), or not yet (unanswered)'),
  }),
  commitments: z.object({
    total: total('Commitments (afspraken) made in the period at an overleg or an escalation outcome'),
    bySource: cells('Where they were made (§6.1): overleg, escalation'),
    bySettlement: cells('As of the end of the period: settled (done or not done) before their deadline passed ' +
      '(in_time), after it (late), withdrawn with the case, or still open'),
  }).describe('Commitments followed until settled (§6.1)'),
}).meta({ id: 'SignaleringReport' });
export type SignaleringReport = z.infer<typeof SignaleringReportSchema>;
