/**
 * What every change to a case writes besides the case row, for either store: the trail entry
 * (case_events), the audit entry, the timer changes the statechart asked for, and a notification
 * when the state changed. One place, so that a submission, an event and a passed deadline can
 * never be recorded differently, on SQLite or on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { reportFacts } from '../../machines/referral.facts.ts';
import { recordOf, type PersistedReferral, type StepResult, type TimerChange } from '../../machines/referral.ts';
import type { NewAuditEntry } from '../audit/audit-chain.ts';
import type { CaseEventRow, CaseRow, OutboxRow, StampedNote } from '../store/rows.ts';
import type { TrailActorSchema } from './case-contract.ts';

/** Who an entry of the trail is by: a client, or the scheduler; as the trail shows it, plus the client id. */
export type TrailActor = z.output<typeof TrailActorSchema> & { clientId: string | null };

export const SCHEDULER: TrailActor = { role: 'system', organisation: null, name: 'scheduler', clientId: null };

export interface Entry {
  type: string;
  at: string;
  actor: TrailActor;
  payload: unknown;
  /** On whose behalf the actor acted, where that applies (audit only). */
  onBehalfOf?: string | null;
}

export type Applied = Extract<StepResult, { outcome: 'applied' }>;

const actorColumns = (actor: TrailActor) => ({
  actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
  actorClientId: actor.clientId,
});

/**
 * The snapshot and, beside it, the facts the signalering report reads (never the snapshot itself).
 * The snapshot is stored without the case's notes: no rule reads them, they are in the trail, and
 * a case with a thousand notes would otherwise read and write all of them on every event (issue
 * 12). The case view reads them from the trail (`withNotes`).
 */
export const persistedColumns = (persisted: PersistedReferral): Pick<CaseRow, 'snapshot' | 'facts'> => ({
  snapshot: JSON.stringify(withNotes(persisted, [])),
  facts: JSON.stringify(reportFacts(recordOf(persisted))),
});

/** The case row after an applied step, at version + 1. */
export function advancedRow(row: CaseRow, result: Applied, at: string): CaseRow {
  return {
    ...row, state: result.state, version: row.version + 1, updatedAt: at,
    ...persistedColumns(result.persisted),
    overdue: Object.keys(result.persisted.context.overdue).length > 0 ? 1 : 0,
    regisseur: regisseurColumn(result.persisted),
  };
}

/** The regisseur's user id, kept beside the snapshot for GET /cases?regisseur= (§6.3); null when none was made. */
export function regisseurColumn(persisted: PersistedReferral): string | null {
  return (persisted.context.record as { regisseur?: { userId: string } | null }).regisseur?.userId ?? null;
}

/** What one entry writes besides the case row, for either store: trail, audit, timers, notification. */
export interface EntryWrites {
  event: CaseEventRow;
  audit: NewAuditEntry;
  timers: TimerChange[];
  notification: NotificationRow | null;
}

export type NotificationRow = Omit<OutboxRow, 'status' | 'nextAttemptAt'>;

export function entryWrites(row: Pick<CaseRow, 'id' | 'region' | 'machineVersion'>, version: number,
  from: string | null, to: string, entry: Entry, timers: TimerChange[]): EntryWrites {
  const payload = JSON.stringify(entry.payload);
  const actor = actorColumns(entry.actor);
  return {
    event: { caseId: row.id, version, type: entry.type, at: entry.at, ...actor, payload, state: to },
    audit: {
      ...actor, at: entry.at, caseId: row.id, eventType: entry.type, fromState: from, toState: to,
      machineVersion: row.machineVersion, payload, onBehalfOf: entry.onBehalfOf ?? null,
      action: from === null ? 'case_created' : entry.type === 'DEADLINE_PASSED' ? 'deadline_passed' : 'event_applied',
    },
    timers,
    notification: from !== to ? notification(row, 'state_changed', entry.at, { from, to, version, event: entry.type }) : null,
  };
}

/** Notifications carry ids, states and deadlines only: never case content. */
export function notification(row: Pick<CaseRow, 'id' | 'region'>, kind: 'state_changed' | 'deadline_passed',
  at: string, details: Record<string, unknown>): NotificationRow {
  const id = randomUUID();
  return {
    id, caseId: row.id, region: row.region, kind, createdAt: at,
    payload: JSON.stringify({ id, kind, caseId: row.id, region: row.region, at, ...details }),
  };
}

/** How many of its latest notes a case view carries; the rest are paged from GET /cases/{id}/notes. */
export const NOTES_IN_VIEW = 50;

/** The persisted case with these notes in its record. */
export function withNotes(persisted: PersistedReferral, notes: readonly StampedNote[]): PersistedReferral {
  return {
    ...persisted,
    context: { ...persisted.context, record: { ...persisted.context.record, notes: notes as never } },
  };
}
