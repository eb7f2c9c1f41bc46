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
import { intakeBreach } from './intake-checks.ts';
import {
  CaseSubmissionSchema,
  EVENT_SCHEMAS,
  isEventType,
  type EventType,
  type ReferralEvent,
} from '../../machines/referral.schemas.ts';
import { REFERRAL_MACHINE_VERSION, type DeadlinePassedEvent } from '../../machines/referral.machine.ts';
import {
  allowedFor, EVENTS_BY_ROLE, mayAnswerFor, maySend, SUBMITTING_ROLES,
} from '../../machines/referral.roles.ts';
import { recordOf, stamp, step, submit, type PersistedReferral } from '../../machines/referral.ts';
import type { Actor } from '../auth/api-clients.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { regionSettings } from '../regions/region-settings.ts';
import { parseBody, requireJsonObject } from '../validation.ts';
import { canSee } from './access.ts';
import { caseRepository, type CaseRow } from './case-repository.ts';
import { caseWriter, SCHEDULER, withLatestNotes, type TrailActor } from './case-writer.ts';
import { caseView, type CaseView } from './case-view.ts';
import { idempotencyStore, type KeyedRequest } from './idempotency.ts';

export interface EventRequest {
  caseId: string;
  body: unknown;
  /** The raw If-Match header, when sent. */
  ifMatch?: string;
  /** The checked Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

const asTrailActor = (a: Actor): TrailActor =>
  ({ role: a.role, organisation: a.organisation, name: a.name, clientId: a.clientId });

export type TimerOutcome = 'fired' | 'stale' | 'gone';

export function caseEngine(db: Db, clock: Clock) {
  const repo = caseRepository(db);
  const regions = regionSettings(db);
  const writer = caseWriter(db);
  const sqlite = db.$client;
  const envFor = (region: string, now: string) => ({ ...regions.get(region).env, now });

  const keys = idempotencyStore(db);
  const keyed = (actor: Actor, key: string | undefined, target: string, body: unknown): KeyedRequest | undefined =>
    (key === undefined ? undefined : { clientId: actor.clientId, key, target, body });

  const submitTx = sqlite.transaction((actor: Actor, body: unknown, key?: string): CaseView =>
    keys.once(keyed(actor, key, 'POST /cases', body), clock.now().toISOString(), 201, () => submitNew(actor, body)));

  function submitNew(actor: Actor, body: unknown): CaseView {
    if (!SUBMITTING_ROLES.has(actor.role)) {
      throw new AppError('FORBIDDEN', `a ${actor.role} does not submit cases`);
    }
    const submission = parseBody(CaseSubmissionSchema, body);
    const at = clock.now().toISOString();
    intakeBreach(submission, at, regions.get(actor.region).municipalities);
    const { persisted, state, timers } = submit({ submission, env: envFor(actor.region, at) });
    const row = writer.create({
      id: randomUUID(), state, version: 1, machineVersion: REFERRAL_MACHINE_VERSION,
      region: actor.region, organisation: actor.organisation,
      municipality: submission.subject.municipalityCode, overdue: 0, erasedAt: null, createdAt: at, updatedAt: at,
    }, persisted, timers, {
      type: 'SUBMIT', at, actor: asTrailActor(actor), payload: submission,
      onBehalfOf: submission.referrer.kind === 'professional' ? null : `referrer:${submission.referrer.kind}`,
    });
    return caseView(row, persisted, actor.role, at, 0);
  }

  const applyTx = sqlite.transaction((actor: Actor, request: EventRequest): CaseView =>
    keys.once(keyed(actor, request.idempotencyKey, `POST /cases/${request.caseId}/events`, request.body),
      clock.now().toISOString(), 200, () => applyNew(actor, request)));

  function applyNew(actor: Actor, request: EventRequest): CaseView {
    let row = repo.find(request.caseId);
    if (!row || !canSee(actor, row)) throw notFound();
    if (row.erasedAt !== null) throw gone();
    const type = eventTypeFor(actor, request.body);
    if (type === 'PROVIDE_INFORMATION' &&
      !mayAnswerFor(actor.role, recordOf(JSON.parse(row.snapshot) as PersistedReferral))) {
      throw new AppError('FORBIDDEN', 'the local team that referred the case answers its questions');
    }
    const parsed = parseBody(EVENT_SCHEMAS[type], request.body) as ReferralEvent;
    checkIfMatch(request.ifMatch, row.version);

    const at = clock.now().toISOString();
    // A deadline that passed before the scheduler's next round is recorded first, so that an
    // event leaving the phase cannot cancel it unrecorded. A refused event rolls this back too.
    const caughtUp = repo.dueTimersOf(row.id, at).filter((seq) => fire(seq, at) === 'fired').length;
    if (caughtUp > 0) row = repo.find(row.id) as CaseRow;
    const persisted = JSON.parse(row.snapshot) as PersistedReferral;
    const stamped = stamp(parsed, at, randomUUID);
    const result = step(row.machineVersion, persisted, stamped, envFor(row.region, at));
    if (result.outcome === 'not_accepted') {
      throw new AppError('EVENT_NOT_ALLOWED', `${type} is not allowed in state ${result.state}`, {
        state: result.state,
        allowedEvents: allowedFor(actor.role, result.accepted, recordOf(persisted), at),
      });
    }
    if (result.outcome === 'rule_broken') {
      const { breach } = result;
      throw new AppError(result.code, breach ? `${breach.field} ${breach.reason}` : `${type} breaks rule ${result.code}`,
        breach ? { invalidParams: [{ name: breach.field, reason: breach.reason }] } : {});
    }
    if (result.outcome === 'ignored') throw new Error(`${type} changed nothing`);
    // The trail keeps the payload as the machine took it: an advice's help items with their ids.
    const { type: _type, at: _at, ...payload } = stamped;
    const next = writer.advance(row, result, { type, at, actor: asTrailActor(actor), payload });
    const shown = withLatestNotes(repo, row.id, result.persisted);
    return caseView(next, shown.persisted, actor.role, at, shown.notesTotal);
  }

  /** Delivers one due timer as its event; fired at most once, because settling is in the same transaction. */
  const fireTx = sqlite.transaction((seq: number): TimerOutcome => fire(seq, clock.now().toISOString()));

  function fire(seq: number, at: string): TimerOutcome {
    const timer = repo.timer(seq);
    if (!timer || timer.status !== 'pending') return 'gone';
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
    writer.advance(row, result, { type: 'DEADLINE_PASSED', at, actor: SCHEDULER, payload });
    writer.notify(row, 'deadline_passed', at, { ...payload, state: result.state, version: row.version + 1 });
    return 'fired';
  }

  return {
    /** `idempotencyKey`: the checked Idempotency-Key header (§5.6), when sent. */
    submit: (actor: Actor, body: unknown, idempotencyKey?: string): CaseView =>
      submitTx.immediate(actor, body, idempotencyKey),
    applyEvent: (actor: Actor, request: EventRequest): CaseView => applyTx.immediate(actor, request),
    fireTimer: (seq: number): TimerOutcome => fireTx.immediate(seq),
    /**
     * Settles up to `limit` timers due by now, each in its own transaction. A timer that fails is
     * rolled back, reported to `onError` and left pending; the others still fire.
     */
    fireDueTimers(limit = 500, onError?: (seq: number, error: unknown) => void): { settled: number; fired: number } {
      let settled = 0;
      let fired = 0;
      for (const seq of repo.dueTimers(clock.now().toISOString(), limit)) {
        try {
          if (fireTx.immediate(seq) === 'fired') fired += 1;
          settled += 1;
        } catch (error) {
          onError?.(seq, error);
        }
      }
      return { settled, fired };
    },
  };
}

export type CaseEngine = ReturnType<typeof caseEngine>;

export const notFound = (): AppError => new AppError('NOT_FOUND', 'no such case');
export const gone = (): AppError => new AppError('GONE', 'the content of this case was destroyed (retention or erasure)');

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
