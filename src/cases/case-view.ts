/**
 * What a caller sees of a case (DESIGN §3): the lifecycle state, the version, the events this
 * caller may send now, the open deadlines and the case data.
 */
import type { Role } from '../../machines/referral.schemas.ts';
import type { CaseRecord, DeadlineMap, LifecycleState } from '../../machines/referral.machine.ts';
import { acceptedEvents, type PersistedReferral } from '../../machines/referral.ts';
import { allowedFor } from '../../machines/referral.roles.ts';
import type { CaseRow } from './case-repository.ts';

export interface Deadline {
  name: string;
  dueAt: string;
}

export interface CaseView {
  id: string;
  state: LifecycleState;
  version: number;
  allowedEvents: string[];
  deadlines: Deadline[];
  overdue: boolean;
  overdueDeadlines: Deadline[];
  region: string;
  municipality: string;
  machineVersion: string;
  createdAt: string;
  updatedAt: string;
  data: CaseRecord;
}

export type CaseSummary = Omit<CaseView, 'allowedEvents' | 'deadlines' | 'overdueDeadlines' | 'data'>;

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
export function caseView(row: ViewRow, persisted: PersistedReferral, role: Role, now: string): CaseView {
  const allowedEvents = allowedFor(role, acceptedEvents(row.machineVersion, persisted),
    persisted.context.record, now);
  const { deadlines, overdue } = persisted.context;
  const passed = Object.fromEntries(Object.entries(deadlines).filter(([, dueAt]) => dueAt <= now));
  const overdueDeadlines = listDeadlines({ ...passed, ...overdue });
  return {
    ...caseSummary(row),
    overdue: overdueDeadlines.length > 0,
    allowedEvents,
    deadlines: listDeadlines(deadlines),
    overdueDeadlines,
    data: persisted.context.record,
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
