/**
 * What a caller sees of a case (DESIGN §3): the lifecycle state, the version, the events this
 * caller may send now, the open deadlines and the case data.
 */
import type { Role } from '../../machines/referral.schemas.ts';
import type { CaseRecord, DeadlineMap, LifecycleState } from '../../machines/referral.machine.ts';
import { acceptedEvents, recordOf, type PersistedReferral } from '../../machines/referral.ts';
import { allowedFor } from '../../machines/referral.roles.ts';
import type { CaseSummary, CaseView, Deadline, EscalationView } from './case-contract.ts';
import type { CaseRow } from './case-repository.ts';

export type { CaseSummary, CaseView } from './case-contract.ts';


type ViewRow = Pick<CaseRow, 'id' | 'state' | 'version' | 'machineVersion' | 'region' |
  'municipality' | 'overdue' | 'createdAt' | 'updatedAt'>;

function listDeadlines(map: DeadlineMap): Deadline[] {
  return Object.entries(map)
    .map(([name, dueAt]) => ({ name, dueAt: dueAt as string }))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/**
 * `now` makes the view exact between scheduler rounds: an open deadline whose due time has come
 * is overdue already, even before its DEADLINE_PASSED entry is written.
 */
export function caseView(row: ViewRow, persisted: PersistedReferral, role: Role, now: string,
  notesTotal: number): CaseView {
  const record = recordOf(persisted);
  const allowedEvents = allowedFor(role, acceptedEvents(row.machineVersion, persisted), record, now);
  const { deadlines, overdue } = persisted.context;
  const passed = Object.fromEntries(Object.entries(deadlines).filter(([, dueAt]) => dueAt <= now));
  const overdueDeadlines = listDeadlines({ ...passed, ...overdue });
  return {
    ...caseSummary(row),
    overdue: overdueDeadlines.length > 0,
    allowedEvents,
    deadlines: listDeadlines(deadlines),
    overdueDeadlines,
    helpItems: record.helpItems,
    escalation: escalationOf(record, deadlines),
    notesTotal,
    data: record,
  };
}

/** The latest escalation and whether an outcome answered it (an outcome answers the one before it). */
function escalationOf(record: CaseRecord, deadlines: DeadlineMap): EscalationView | null {
  const latest = record.escalations.at(-1);
  if (!latest) return null;
  const outcome = record.escalationOutcomes.at(-1);
  const answered = outcome !== undefined && outcome.at >= latest.at;
  const { type: _type, ...answer } = outcome ?? { type: null };
  return {
    status: answered ? 'answered' : 'open',
    to: latest.to, target: latest.target, question: latest.question, since: latest.at,
    dueAt: answered ? null : deadlines.escalation ?? null,
    outcome: answered ? answer as EscalationView['outcome'] : null,
  };
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
