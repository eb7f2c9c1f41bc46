/**
 * The signalering report (DESIGN §3, DOMAIN §2 function 3): the regional figures of a period,
 * for the expert team of the region and for inspectors. Read only; only what the caller may see.
 */
import { DEADLINE_NAMES } from '../../machines/referral.deadlines.ts';
import { municipalityInForce } from '../../machines/referral.municipalities.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { resolvePeriod, TIME_ZONE, type Period } from './period.ts';
import type { SignaleringQuery, SignaleringReport } from './signalering-contract.ts';
import { CATEGORIES, DECISIONS, Figures } from './signalering-figures.ts';
import { ESCALATION_TARGETS } from '../../machines/referral.schemas.ts';
import { CLOSED_AS } from '../cases/case-contract.ts';
import { SUPPRESSION_THRESHOLD } from './suppression.ts';
import type { Actor } from '../auth/actors.ts';
import type { ReportScope } from './signalering-raw.ts';
import { municipalityScope, readsSuppressed } from './municipality-scope.ts';
import type { SignaleringReader } from '../store/port.ts';

/**
 * Whose cases the caller may count: an expert team and a regional inspector their own region's;
 * a national inspector (region `*`) all, or one region named in the query; a municipality those of
 * its own municipality (municipality-scope.ts).
 */
export function reportScope(actor: Actor, region: string | undefined): ReportScope {
  if (actor.role === 'municipality') return municipalityScope(actor, region);
  if (actor.role !== 'expert_team' && actor.role !== 'inspector') {
    throw new AppError('FORBIDDEN', `a ${actor.role} does not read the signalering report`);
  }
  if (actor.region === '*') {
    return region === undefined || region === '*' ? { kind: 'all' } : { kind: 'region', region };
  }
  if (region !== undefined && region !== actor.region) {
    throw new AppError('FORBIDDEN', 'the report covers only the caller\'s own region');
  }
  return { kind: 'region', region: actor.region };
}

/** The report over the store's raw figures (the store's SignaleringReader). */
export function signaleringService(reader: SignaleringReader, clock: Clock) {
  const figuresOf = async (scope: ReportScope, period: Period, publication: boolean): Promise<SignaleringReport> => {
    const figures = new Figures(await reader.figures(scope, period), publication ? SUPPRESSION_THRESHOLD : 0,
      scope.kind === 'municipality');
    return buildReport(scope, period, clock.now(), figures, publication);
  };
  return {
    async report(actor: Actor, query: SignaleringQuery): Promise<SignaleringReport> {
      const scope = reportScope(actor, query.region);
      // A municipality reads the figures as published, whatever it asks (§6.4).
      return figuresOf(scope, resolvePeriod(query, clock.now()), query.publication === 'true' || readsSuppressed(actor));
    },
    /**
     * A region's published figures of a period (§6.4 publications): suppressed, for anyone. The
     * caller checks that the period is whole months in the past and that the region exists.
     */
    async published(region: string, period: { from: string; to: string }): Promise<SignaleringReport> {
      return figuresOf({ kind: 'region', region }, resolvePeriod(period, clock.now()), true);
    },
  };
}

export type SignaleringService = ReturnType<typeof signaleringService>;

function buildReport(scope: ReportScope, period: Period, now: Date, f: Figures, publication: boolean): SignaleringReport {
  return {
    region: scope.kind === 'all' ? '*' : scope.region,
    ...(scope.kind === 'municipality' ? { municipality: scope.municipality } : {}),
    period: { from: period.from, to: period.to, timeZone: TIME_ZONE, startsAt: period.startsAt,
      endsBefore: period.endsBefore, asOf: period.asOf },
    generatedAt: now.toISOString(),
    publication,
    suppressionThreshold: publication ? SUPPRESSION_THRESHOLD : 0,
    submitted: submitted(f, period),
    decisions: decisions(f),
    openAtEnd: openAtEnd(f),
    leadTimes: {
      submissionToTriageDecision: f.leadTime('d_triage'),
      acceptanceToOverleg: f.leadTime('d_overleg'),
      overlegToAdvice: f.leadTime('d_advice'),
      adviceToHelpStarted: f.leadTime('d_help'),
    },
    overleggen: {
      total: f.shownTotal(f.total('overleg.youth')),
      youthTookPart: f.tookPart('youth'),
      parentsTookPart: f.tookPart('parents'),
      byDisruption: f.breakdown('overleg.disruption', CATEGORIES.disruption),
      youthNotInvolvedByReason: f.breakdown('overleg.youthReason', CATEGORIES.reason),
      parentsNotInvolvedByReason: f.breakdown('overleg.parentsReason', CATEGORIES.reason),
    },
    advice: advice(f),
    helpItems: helpItemFigures(f),
    escalations: escalationFigures(f),
    deadlines: deadlines(f),
    commitments: {
      total: f.shownTotal(f.total('commitment.source')),
      bySource: f.breakdown('commitment.source', ['overleg', 'escalation']),
      bySettlement: f.breakdown('commitment.settlement', ['in_time', 'late', 'withdrawn', 'open']),
    },
  };
}

/**
 * Every case has one referrer kind, so their counts add up to the total. Municipalities are the
 * codes in force in the period (§5.1); a code that was not (a case of machine 1.0.0, which did not
 * check it) counts as `unknown`, so no invalid code is ever published.
 */
function submitted(f: Figures, period: Period): SignaleringReport['submitted'] {
  const inForce = (code: string) =>
    municipalityInForce(code, period.from) || municipalityInForce(code, period.to);
  return {
    total: f.shownTotal(f.total('submitted.referrerKind')),
    byReferrerKind: f.breakdown('submitted.referrerKind', CATEGORIES.referrerKind),
    byMunicipality: f.suppress(f.cellsMerged('submitted.municipality',
      f.municipalities.filter(inForce), inForce, 'unknown')),
    byProblemArea: f.breakdown('submitted.problemArea', CATEGORIES.problemArea),
  };
}

/** One breakdown of every decision and closing; `closed` is split by outcome and by the family's view. */
function decisions(f: Figures): SignaleringReport['decisions'] {
  const byType = f.counts('decision');
  const cells = Object.entries(DECISIONS).map(([key, type]) => ({ key, count: byType.get(type) ?? 0 }));
  const withSplits = cells.map((cell) => (cell.key !== 'closed' ? cell : { ...cell, children: {
    byOutcome: f.cells('closed.outcome', CATEGORIES.outcome),
    byFamilyViewOfFit: f.cells('closed.familyViewOfFit', CATEGORIES.familyViewOfFit),
  } }));
  return {
    total: f.shownTotal(f.total('decision')), byDecision: f.suppress(withSplits),
    closedByHowItEnded: f.breakdown('closed.as', CLOSED_AS),
  };
}

function openAtEnd(f: Figures): SignaleringReport['openAtEnd'] {
  const school = f.cells('open.school', CATEGORIES.schoolStatus).map((cell) => cell.key === 'not_attending'
    ? { ...cell, children: { byDuration: f.cells('open.notAttending', CATEGORIES.notAttending) } }
    : cell);
  return {
    total: f.shownTotal(f.total('open.state')),
    byState: f.breakdown('open.state', CATEGORIES.openState),
    bySchoolStatus: f.suppress(school),
  };
}

function advice(f: Figures): SignaleringReport['advice'] {
  const items = f.total('helpItem.kind');
  const waiting = f.distribution('waitingWeeks');
  return {
    advices: f.shownTotal(f.count('advice')),
    helpItems: f.shownTotal(items),
    customArrangements: f.share(f.count('helpItem.kind', 'custom_arrangement'), items),
    withWaitingTime: f.share(f.count('helpItem.waiting', '1'), items),
    medianWaitingWeeks: { ...waiting ? { weeks: waiting.p50, suppressed: false } : { weeks: null, suppressed: f.threshold > 0 },
      ...f.sizeOf('waitingWeeks') },
    bridgingPlanWhenWaiting: f.share(f.count('waitingCase.bridged', '1'), f.total('waitingCase.bridged')),
  };
}

/** §5.2: help item changes, and the weeks to the start, shown only from P90_MINIMUM items on. */
function helpItemFigures(f: Figures): SignaleringReport['helpItems'] {
  // Below the suppression threshold a distribution is not shown at all (Figures.distribution).
  const weeks = f.distribution('weeksToStart');
  return {
    changesByStatus: f.breakdown('helpItem.change', ['arranged', 'started', 'not_started', 'stopped']),
    weeksFromAdviceToStart: {
      ...weeks
        ? { medianWeeks: weeks.p50, p90Weeks: f.p90Shown(weeks) ? weeks.p90 : null, suppressed: false }
        : { medianWeeks: null, p90Weeks: null, suppressed: f.threshold > 0 },
      ...f.sizeOf('weeksToStart'),
    },
  };
}

/** §5.3: escalations by where they went and how they were answered. */
function escalationFigures(f: Figures): SignaleringReport['escalations'] {
  return {
    total: f.shownTotal(f.total('escalation.to')),
    byTo: f.breakdown('escalation.to', ESCALATION_TARGETS),
    byAnswer: f.breakdown('escalation.answer', ['in_time', 'late', 'unanswered']),
  };
}

/** Reassessment is one cell of the breakdown, so it shows exactly as that cell does. */
function deadlines(f: Figures): SignaleringReport['deadlines'] {
  const passedByDeadline = f.breakdown('deadline.passed', DEADLINE_NAMES);
  const reassessment = passedByDeadline.find((cell) => cell.key === 'reassessment');
  return {
    total: f.shownTotal(f.total('deadline.passed')),
    passedByDeadline,
    dueForReassessment: reassessment
      ? { count: reassessment.count, suppressed: reassessment.suppressed }
      : { count: 0, suppressed: false },
  };
}
