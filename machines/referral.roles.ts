/**
 * Who may send which event (DESIGN §3). Inspectors and admins send none: they are read-only or
 * never see case content at all.
 */
import { EVENT_TYPES, type EventType, type Role } from './referral.schemas.ts';

const LOCAL_TEAM_EVENTS: readonly EventType[] = [
  'PROVIDE_INFORMATION', 'REPORT_PROGRESS', 'REQUEST_REASSESSMENT', 'WITHDRAW', 'ADD_NOTE',
];
const EXPERT_TEAM_EVENTS: readonly EventType[] = EVENT_TYPES.filter(
  (type) => type !== 'PROVIDE_INFORMATION',
);

export const EVENTS_BY_ROLE: Readonly<Record<Role, ReadonlySet<EventType>>> = {
  local_team: new Set(LOCAL_TEAM_EVENTS),
  expert_team: new Set(EXPERT_TEAM_EVENTS),
  inspector: new Set(),
  admin: new Set(),
};

export function maySend(role: Role, type: EventType): boolean {
  return EVENTS_BY_ROLE[role].has(type);
}

/** Of the event types a state accepts, those this role may send: a case view's allowedEvents. */
export function allowedFor(role: Role, accepted: readonly EventType[]): EventType[] {
  return accepted.filter((type) => maySend(role, type));
}

/** Roles that may submit a case: the local team, and the expert team on behalf of a parent or youth. */
export const SUBMITTING_ROLES: ReadonlySet<Role> = new Set(['local_team', 'expert_team']);
