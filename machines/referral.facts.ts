/**
 * The facts of a case that the signalering report counts, boiled down from its record. The engine
 * writes them beside the snapshot in the same statement (the `facts` column of `cases`), and the
 * report SQL reads only these, never the machine's context: a new record shape changes this one
 * function, which the compiler checks against the record type, and a report figure cannot move
 * unnoticed. Every key here is one the report reads; nothing identifying (no free text, no
 * reference, no day of birth) is kept.
 *
 * Pure: no I/O, so it can be tested on its own and run wherever the record is.
 */
import { z } from 'zod';
import type { CaseRecord } from './referral.types.ts';

/**
 * Bumped when the shape changes, with a migration that sets `cases.facts` to NULL: start-up then
 * writes every case's facts anew (src/store/sqlite/facts-backfill.ts).
 */
export const REPORT_FACTS_VERSION = 1;

const at = z.iso.datetime();
const ParticipationFactSchema = z.object({
  participation: z.string(),
  /** The reason code when not involved (§5.1); a bare-text reason of machine 1.0.0 reads as `other`. */
  reason: z.string().nullable(),
});

export const ReportFactsSchema = z.object({
  v: z.literal(REPORT_FACTS_VERSION),
  submittedAt: at,
  referrer: z.string(),
  problemAreas: z.array(z.string()),
  /** From birthYear, or the year of birthMonth. */
  birthYear: z.int(),
  /** The school status since the submission, oldest first: the submission's at submittedAt, then each update. */
  school: z.array(z.object({ at, status: z.string(), notAttendingSince: z.string().nullable() })),
  decision: z.object({ type: z.string(), at }).nullable(),
  closure: z.object({
    type: z.string(), at, outcome: z.string().nullable(), familyViewOfFit: z.string().nullable(),
  }).nullable(),
  /** The first escalation of machine 2.0.0, which keeps the case open (§5.3). */
  firstEscalationAt: at.nullable(),
  overleggen: z.array(z.object({
    at, heldAt: z.string(), youth: ParticipationFactSchema, parents: ParticipationFactSchema,
    disruptions: z.array(z.string()),
  })),
  advices: z.array(z.object({
    at, helpItems: z.array(z.object({ kind: z.string(), waitingWeeks: z.number() })),
  })),
  bridgingPlans: z.array(at),
  /** The first progress report that said the help had started. */
  helpStartedAt: at.nullable(),
});
export type ReportFacts = z.infer<typeof ReportFactsSchema>;

type Participation = CaseRecord['overlegRecords'][number]['youth'];

/** The stored reason: an object with a code (2.0.0), or a bare text (1.0.0, read as `other`). */
function reasonCode(p: Participation): string | null {
  if (p.participation !== 'not_involved') return null;
  const reason = p.reason as { code?: string } | string | undefined;
  return typeof reason === 'object' ? (reason.code ?? 'other') : 'other';
}

export function reportFacts(record: CaseRecord): ReportFacts {
  const { submission } = record;
  const { subject } = submission;
  const decision = record.triageDecision;
  const closure = record.closure;
  return {
    v: REPORT_FACTS_VERSION,
    submittedAt: record.submittedAt,
    referrer: submission.referrer.kind,
    problemAreas: [...submission.problemAreas],
    birthYear: subject.birthYear ?? Number(subject.birthMonth?.slice(0, 4)),
    school: [
      { at: record.submittedAt, status: submission.school.status,
        notAttendingSince: submission.school.notAttendingSince ?? null },
      ...record.schoolUpdates.map((u) => ({ at: u.at, status: u.status, notAttendingSince: u.notAttendingSince ?? null })),
    ],
    decision: decision ? { type: decision.type, at: decision.at } : null,
    closure: closure
      ? {
        type: closure.type, at: closure.at,
        outcome: closure.type === 'CLOSE' ? closure.outcome : null,
        familyViewOfFit: closure.type === 'CLOSE' ? closure.familyViewOfFit : null,
      }
      : null,
    firstEscalationAt: record.escalations[0]?.at ?? null,
    overleggen: record.overlegRecords.map((o) => ({
      at: o.at, heldAt: o.heldAt,
      youth: { participation: o.youth.participation, reason: reasonCode(o.youth) },
      parents: { participation: o.parents.participation, reason: reasonCode(o.parents) },
      disruptions: [...o.disruptions],
    })),
    advices: record.advices.map((a) => ({
      at: a.at, helpItems: a.helpItems.map((h) => ({ kind: h.kind, waitingWeeks: h.waitingWeeks ?? 0 })),
    })),
    bridgingPlans: record.bridgingPlans.map((b) => b.at),
    helpStartedAt: record.progressReports.find((p) => p.helpStarted)?.at ?? null,
  };
}
