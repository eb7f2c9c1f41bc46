/**
 * What a caller sees of a case (DESIGN §3): the lifecycle state, the version, the events this
 * caller may send now, the open deadlines and the case data.
 */
import type { Role } from '../../machines/referral.schemas.ts';
import type { CaseRecord, DeadlineMap, LifecycleState } from '../../machines/referral.machine.ts';
import { acceptedEvents, recordOf, type PersistedReferral } from '../../machines/referral.ts';
import { allowedFor } from '../../machines/referral.roles.ts';
import { deadlineOfKey } from '../../machines/referral.deadlines.ts';
import { openEscalation } from '../../machines/referral.rules.ts';
import type { CaseSummary, CaseView, ClosedAs, Deadline, EscalationView } from './case-contract.ts';
import type { CaseRow } from '../store/rows.ts';
import type { Regisseur } from './regisseur.ts';

export type { CaseSummary, CaseView } from './case-contract.ts';

type ViewRow = Pick<CaseRow, 'id' | 'state' | 'version' | 'machineVersion' | 'region' |
  'municipality' | 'overdue' | 'createdAt' | 'updatedAt'>;

/** Open deadlines, nearest first; a commitment's named `commitment`, with the commitment's id. */
function listDeadlines(map: DeadlineMap): Deadline[] {
  return Object.entries(map)
    .map(([key, dueAt]) => ({ ...deadlineOfKey(key), dueAt: dueAt as string }))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/**
 * `now` makes the view exact between scheduler rounds: an open deadline whose due time has come
 * is overdue already, even before its DEADLINE_PASSED entry is written.
 */
export function caseView(row: ViewRow, persisted: PersistedReferral, role: Role, now: string,
  notesTotal: number, regisseur: Regisseur | null = null): CaseView {
  const record = recordOf(persisted);
  const allowedEvents = allowedFor(role, acceptedEvents(row.machineVersion, persisted), record, now);
  const { deadlines, overdue } = persisted.context;
  const passed = Object.fromEntries(Object.entries(deadlines).filter(([, dueAt]) => dueAt !== undefined && dueAt <= now));
  const overdueDeadlines = listDeadlines({ ...passed, ...overdue });
  return {
    ...caseSummary(row),
    overdue: overdueDeadlines.length > 0,
    allowedEvents,
    deadlines: listDeadlines(deadlines),
    overdueDeadlines,
    helpItems: record.helpItems,
    escalation: escalationOf(record, deadlines),
    commitments: record.commitments,
    closedAs: closedAs(record),
    notesTotal,
    regisseur,
    data: record,
  };
}

/**
 * The latest escalation: answered when an outcome followed it, withdrawn when the case ended with
 * it unanswered by WITHDRAW or with `escalationWithdrawn` (§6.1), else open.
 */
function escalationOf(record: CaseRecord, deadlines: DeadlineMap): EscalationView | null {
  const latest = record.escalations.at(-1);
  if (!latest) return null;
  const outcome = record.escalationOutcomes.at(-1);
  const answered = openEscalation(record) === undefined;
  const { type: _type, ...answer } = outcome ?? { type: null };
  const withdrawnReason = answered ? null : withdrawalOf(record);
  return {
    status: answered ? 'answered' : withdrawnReason !== null ? 'withdrawn' : 'open',
    to: latest.to, target: latest.target, question: latest.question, since: latest.at,
    dueAt: answered ? null : deadlines.escalation ?? null,
    outcome: answered ? answer as EscalationView['outcome'] : null,
    withdrawnReason,
  };
}

/** Why an unanswered escalation was withdrawn when the case ended; null when it was not. */
function withdrawalOf(record: CaseRecord): string | null {
  const closure = record.closure;
  if (!closure) return null;
  if (closure.type === 'WITHDRAW') return closure.reason;
  if ('escalationWithdrawn' in closure && closure.escalationWithdrawn) return closure.escalationWithdrawn.reason ?? null;
  return null;
}

/** How a closed case ended (§6.1); null while it is open. */
export function closedAs(record: Pick<CaseRecord, 'closure'>): ClosedAs | null {
  const closure = record.closure;
  return closedAsOf(closure?.type ?? null, closure?.type === 'CLOSE' ? closure.outcome : null);
}

/** closedAs from the closing event's type and, for CLOSE, its outcome (as the report facts keep them). */
export function closedAsOf(type: string | null, outcome: string | null): ClosedAs | null {
  switch (type) {
    case 'DECLINE': return 'declined';
    case 'CONSULT': return 'consulted';
    case 'WITHDRAW': return 'withdrawn';
    case 'ESCALATE': return 'escalated';
    case 'CLOSE': return (['help_in_place', 'no_longer_needed', 'other'] as const).find((o) => o === outcome) ?? 'other';
    default: return null;
  }
}

export function caseSummary(row: ViewRow): CaseSummary {
  return {
    id: row.id,
    state: row.state as LifecycleState,
    version: row.version,
    overdue: row.overdue === 1,
    region: row.region,
    municipality: row.municipality,
    machineVersion: row.machineVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
