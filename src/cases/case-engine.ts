/**
 * The one place a case changes. Every write loads the case, steps the statechart with XState's
 * pure `transition`, and stores in ONE immediate transaction: the new snapshot (version + 1,
 * optimistic check), the trail entry, the timer changes the machine asked for, and the
 * notifications. A refused request rolls back and changes nothing.
 *
 * Client events are checked in the order DESIGN §3 fixes: 404 → 403 → 400 → 412 → 409 → 422.
 * Due timers come back through the same path (`fireTimer`), with the system as actor.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { consentGiven } from '../../machines/referral.rules.ts';
import {
  CaseSubmissionSchema,
  EVENT_SCHEMAS,
  isEventType,
  type EventType,
} from '../../machines/referral.schemas.ts';
import { REFERRAL_MACHINE_VERSION, type DeadlinePassedEvent } from '../../machines/referral.machine.ts';
import { EVENTS_BY_ROLE, maySend, SUBMITTING_ROLES } from '../../machines/referral.roles.ts';
import { step, submit, type PersistedReferral, type TimerChange } from '../../machines/referral.ts';
import type { Actor } from '../auth/api-clients.ts';
import type { Clock } from '../clock.ts';
import { auditTrail } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import { regionSettings } from '../regions/region-settings.ts';
import { parseBody, requireJsonObject } from '../validation.ts';
import { canSee } from './access.ts';
import { caseRepository, type CaseRow, type NewCaseRow } from './case-repository.ts';
import { caseView, type CaseView } from './case-view.ts';

export interface EventRequest {
  caseId: string;
  body: unknown;
  /** The raw If-Match header, when sent. */
  ifMatch?: string;
}

/** Who an entry of the trail is by: a client, or the scheduler. */
interface TrailActor {
  role: string;
  organisation: string | null;
  name: string;
  clientId: string | null;
}

const SCHEDULER: TrailActor = { role: 'system', organisation: null, name: 'scheduler', clientId: null };
const asTrailActor = (a: Actor): TrailActor =>
  ({ role: a.role, organisation: a.organisation, name: a.name, clientId: a.clientId });

export type TimerOutcome = 'fired' | 'stale' | 'gone';

export function caseEngine(db: Db, clock: Clock) {
  const repo = caseRepository(db);
  const regions = regionSettings(db);
  const audit = auditTrail(db);
  const sqlite = db.$client;
  const envFor = (region: string, now: string) => ({ ...regions.get(region).env, now });

  const submitTx = sqlite.transaction((actor: Actor, body: unknown): CaseView => {
    if (!SUBMITTING_ROLES.has(actor.role)) {
      throw new AppError('FORBIDDEN', `a ${actor.role} does not submit cases`);
    }
    const submission = parseBody(CaseSubmissionSchema, body);
    const now = clock.now();
    if (!consentGiven(submission, now)) {
      throw new AppError('CONSENT_REQUIRED',
        'the consent this age requires is missing and no legal ground is recorded');
    }
    const at = now.toISOString();
    const { persisted, state, timers } = submit({ submission, env: envFor(actor.region, at) });
    const row: NewCaseRow = {
      id: randomUUID(), state, version: 1, machineVersion: REFERRAL_MACHINE_VERSION,
      region: actor.region, organisation: actor.organisation,
      municipality: submission.subject.municipalityCode,
      snapshot: JSON.stringify(persisted), overdue: 0, createdAt: at, updatedAt: at,
    };
    repo.insert(row);
    const payload = JSON.stringify(submission);
    repo.appendEvent(eventRow(row.id, 1, 'SUBMIT', at, asTrailActor(actor), payload, state));
    audit.append({
      ...auditActor(asTrailActor(actor)), at, action: 'case_created', caseId: row.id, eventType: 'SUBMIT',
      fromState: null, toState: state, machineVersion: row.machineVersion, payload,
      onBehalfOf: submission.referrer.kind === 'professional' ? null : `referrer:${submission.referrer.kind}`,
    });
    applyTimers(row.id, timers, at);
    notify(row, 'state_changed', at, { from: null, to: state, version: 1, event: 'SUBMIT' });
    return caseView(row, persisted, actor.role);
  });

  const applyTx = sqlite.transaction((actor: Actor, request: EventRequest): CaseView => {
    const row = repo.find(request.caseId);
    if (!row || !canSee(actor, row)) throw notFound();
    const type = eventTypeFor(actor, request.body);
    const { type: _type, ...payload } = parseBody(EVENT_SCHEMAS[type], request.body);
    checkIfMatch(request.ifMatch, row.version);

    const at = clock.now().toISOString();
    const persisted = JSON.parse(row.snapshot) as PersistedReferral;
    const result = step(row.machineVersion, persisted, { type, ...payload, at } as never,
      envFor(row.region, at));
    if (result.outcome === 'not_accepted') {
      throw new AppError('EVENT_NOT_ALLOWED', `${type} is not allowed in state ${result.state}`, {
        state: result.state,
        allowedEvents: result.accepted.filter((t) => maySend(actor.role, t)),
      });
    }
    if (result.outcome === 'rule_broken') {
      throw new AppError(result.code, `${type} breaks rule ${result.code}`);
    }
    if (result.outcome === 'ignored') throw new Error(`${type} changed nothing`);
    const next = commit(row, result, { type, at, actor: asTrailActor(actor), payload });
    return caseView(next, result.persisted, actor.role);
  });

  /** Delivers one due timer as its event; fired at most once, because settling is in the same transaction. */
  const fireTx = sqlite.transaction((seq: number): TimerOutcome => {
    const timer = repo.timer(seq);
    if (!timer || timer.status !== 'pending') return 'gone';
    const at = clock.now().toISOString();
    const row = repo.find(timer.caseId);
    if (!row) throw new Error(`timer ${seq} names a missing case`);
    const event = { ...(JSON.parse(timer.event) as DeadlinePassedEvent), at };
    const result = step(row.machineVersion, JSON.parse(row.snapshot) as PersistedReferral, event,
      envFor(row.region, at));
    if (result.outcome !== 'applied') {
      repo.settleTimer(seq, 'cancelled', at);
      return 'stale';
    }
    repo.settleTimer(seq, 'fired', at);
    const payload = { deadline: event.deadline, dueAt: event.dueAt };
    commit(row, result, { type: 'DEADLINE_PASSED', at, actor: SCHEDULER, payload });
    notify(row, 'deadline_passed', at, { ...payload, state: result.state, version: row.version + 1 });
    return 'fired';
  });

  /** Writes an applied step: case row, trail entry, timers and a state-change notification. */
  function commit(
    row: CaseRow,
    result: Extract<ReturnType<typeof step>, { outcome: 'applied' }>,
    entry: { type: string; at: string; actor: TrailActor; payload: unknown },
  ): CaseRow {
    const version = row.version + 1;
    const next: CaseRow = {
      ...row, state: result.state, version, updatedAt: entry.at,
      snapshot: JSON.stringify(result.persisted),
      overdue: Object.keys(result.persisted.context.overdue).length > 0 ? 1 : 0,
    };
    if (!repo.update({ ...next, expectedVersion: row.version })) {
      throw new AppError('VERSION_MISMATCH', 'the case changed while this event was applied');
    }
    const payload = JSON.stringify(entry.payload);
    repo.appendEvent(eventRow(row.id, version, entry.type, entry.at, entry.actor, payload, result.state));
    audit.append({
      ...auditActor(entry.actor), at: entry.at, caseId: row.id, onBehalfOf: null,
      action: entry.actor === SCHEDULER ? 'deadline_passed' : 'event_applied', eventType: entry.type,
      fromState: row.state, toState: result.state, machineVersion: row.machineVersion, payload,
    });
    applyTimers(row.id, result.timers, entry.at);
    if (result.state !== row.state) {
      notify(row, 'state_changed', entry.at, { from: row.state, to: result.state, version, event: entry.type });
    }
    return next;
  }

  function applyTimers(caseId: string, changes: TimerChange[], at: string): void {
    for (const change of changes) {
      if (change.kind === 'cancel') repo.cancelTimer(caseId, change.name, at);
      else {
        repo.armTimer({ caseId, name: change.name, dueAt: change.dueAt,
          event: JSON.stringify(change.event), armedAt: at });
      }
    }
  }

  /** Notifications carry ids, states and deadlines only: never case content. */
  function notify(row: Pick<CaseRow, 'id' | 'region'>, kind: 'state_changed' | 'deadline_passed',
    at: string, details: Record<string, unknown>): void {
    const id = randomUUID();
    repo.enqueueNotification({
      id, caseId: row.id, region: row.region, kind, createdAt: at,
      payload: JSON.stringify({ id, kind, caseId: row.id, region: row.region, at, ...details }),
    });
  }

  return {
    submit: (actor: Actor, body: unknown): CaseView => submitTx.immediate(actor, body),
    applyEvent: (actor: Actor, request: EventRequest): CaseView => applyTx.immediate(actor, request),
    fireTimer: (seq: number): TimerOutcome => fireTx.immediate(seq),
    /** Settles up to `limit` timers due by now, each in its own transaction. */
    fireDueTimers(limit = 500): { settled: number; fired: number } {
      const due = repo.dueTimers(clock.now().toISOString(), limit);
      const fired = due.filter((seq) => fireTx.immediate(seq) === 'fired').length;
      return { settled: due.length, fired };
    },
  };
}

export type CaseEngine = ReturnType<typeof caseEngine>;

export const notFound = (): AppError => new AppError('NOT_FOUND', 'no such case');

/** 403 before 400: a read-only role, or a type this role never sends, is refused before the body is checked. */
function eventTypeFor(actor: Actor, body: unknown): EventType {
  if (EVENTS_BY_ROLE[actor.role].size === 0) {
    throw new AppError('FORBIDDEN', `a ${actor.role} is read-only and sends no events`);
  }
  const { type } = requireJsonObject(body);
  if (!isEventType(type)) {
    throw new AppError('VALIDATION_FAILED', 'the body needs a known event type', {
      invalidParams: [{ name: 'type', reason: 'must be one of the event types of the referral machine' }],
    });
  }
  if (!maySend(actor.role, type)) {
    throw new AppError('FORBIDDEN', `a ${actor.role} does not send ${type}`);
  }
  return type;
}

/** Strong comparison against the ETag `"<version>"`; `*` matches any existing case. */
function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.includes(`"${version}"`)) return;
  throw new AppError('VERSION_MISMATCH', `the case is at version ${version}`);
}

function eventRow(caseId: string, version: number, type: string, at: string, actor: TrailActor,
  payload: string, state: string) {
  return { caseId, version, type, at, ...auditActor(actor), payload, state };
}

function auditActor(actor: TrailActor) {
  return {
    actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
    actorClientId: actor.clientId,
  };
}
