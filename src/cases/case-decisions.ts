/**
 * What the engine decides, apart from where it stores it: the checks of a submission and of an
 * event in the order DESIGN §3 fixes (404 → 403 → 400 → 412 → 409 → 422), the statechart step,
 * and a due deadline's outcome. Pure: no I/O. The SQLite engine (src/store/sqlite/engine.ts) and the
 * PostgreSQL engine (src/store/postgres/engine.ts) load, call these, and store the result in one
 * transaction each, so the two stores cannot decide differently.
 */
import { intakeBreach, ruleParamsOfParts } from './intake-checks.ts';
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
import {
  acceptedEvents, recordOf, stamp, step, submit, type PersistedReferral, type TimerChange,
} from '../../machines/referral.ts';
import type { OfferResolution, ResolvedOffer } from '../../machines/referral.supply.ts';
import { AppError, type InvalidParam } from '../errors.ts';
import { parseBody, requireJsonObject } from '../validation.ts';
import { canSee } from './access.ts';
import type { CaseRow, NewCaseRow, TimerRow, User } from '../store/rows.ts';
import { regisseurOf, regisseurWanted, type Regisseur } from './regisseur.ts';
import type { Actor } from '../auth/actors.ts';
import type { RegionSettings } from '../regions/region-settings.ts';
import type { Applied, Entry, TrailActor } from './case-writes.ts';

export const asTrailActor = (a: Actor): TrailActor =>
  ({ role: a.role, organisation: a.organisation, name: a.name, clientId: a.clientId });

export const notFound = (): AppError => new AppError('NOT_FOUND', 'no such case');
export const gone = (): AppError => new AppError('GONE', 'the content of this case was destroyed (retention or erasure)');

const envFor = (settings: RegionSettings, now: string) => ({ ...settings.env, now });

/** A new case, decided: its row (without snapshot and facts), state, timers and first entry. */
export interface SubmissionDecision {
  row: Omit<NewCaseRow, 'snapshot' | 'facts'>;
  persisted: PersistedReferral;
  timers: TimerChange[];
  entry: Entry;
}

/**
 * A schema refusal with the breaches of every rule whose inputs were valid added (§6.2: all errors
 * in one round); each field named once, the schema's error first.
 */
function withRuleParams<T>(parse: () => T, rules: () => InvalidParam[]): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'VALIDATION_FAILED') throw err;
    const params = err.extensions.invalidParams ?? [];
    const extra = rules().filter((r) => !params.some((p) => p.name === r.name));
    if (extra.length === 0) throw err;
    throw new AppError('VALIDATION_FAILED', err.detail, { ...err.extensions, invalidParams: [...params, ...extra] });
  }
}

export function decideSubmission(actor: Actor, body: unknown, at: string, settings: RegionSettings,
  id: string): SubmissionDecision {
  if (!SUBMITTING_ROLES.has(actor.role)) {
    throw new AppError('FORBIDDEN', `a ${actor.role} does not submit cases`);
  }
  const submission = withRuleParams(() => parseBody(CaseSubmissionSchema, body),
    () => ruleParamsOfParts(body, at, settings.municipalities));
  intakeBreach(submission, at, settings.municipalities);
  const { persisted, state, timers } = submit({ submission, env: envFor(settings, at) });
  return {
    row: {
      id, state, version: 1, machineVersion: REFERRAL_MACHINE_VERSION,
      region: actor.region, organisation: actor.organisation,
      municipality: submission.subject.municipalityCode, overdue: 0, regisseur: null, erasedAt: null, createdAt: at, updatedAt: at,
    },
    persisted,
    timers,
    entry: {
      type: 'SUBMIT', at, actor: asTrailActor(actor), payload: submission,
      onBehalfOf: submission.referrer.kind === 'professional' ? null : `referrer:${submission.referrer.kind}`,
    },
  };
}

/**
 * The checks before any deadline is caught up: the case exists for this caller (404), is not
 * destroyed (410), the caller may send this type (403), the body is valid (400), If-Match (412).
 */
export function checkEvent(actor: Actor, row: CaseRow | undefined, body: unknown, ifMatch: string | undefined):
{ row: CaseRow; type: EventType; event: ReferralEvent } {
  if (!row || !canSee(actor, row)) throw notFound();
  if (row.erasedAt !== null) throw gone();
  const type = eventTypeFor(actor, body);
  if (type === 'PROVIDE_INFORMATION' &&
    !mayAnswerFor(actor.role, recordOf(JSON.parse(row.snapshot) as PersistedReferral))) {
    throw new AppError('FORBIDDEN', 'the local team that referred the case answers its questions');
  }
  const event = parseBody(EVENT_SCHEMAS[type], body) as ReferralEvent;
  checkIfMatch(ifMatch, row.version);
  return { row, type, event };
}

/**
 * Of the offers an advice's items name (`offerIdsOf`), what the region's register has: the store
 * looks them up in the event's transaction (`found`), an id it does not have maps to null.
 */
export function offerResolution(ids: readonly string[], found: ReadonlyMap<string, ResolvedOffer>): OfferResolution {
  return new Map(ids.map((id) => [id, found.get(id) ?? null]));
}

/**
 * The client's event on the case as stored (after any deadline caught up): 409 or 422, or applied.
 * What the store looked up for it in the event's transaction: `offers`, those its help items name
 * as the region's register has them (§6.4); `person`, the user it names as regisseur (§6.3).
 */
export function decideEvent(actor: Actor, type: EventType, event: ReferralEvent, row: CaseRow, at: string,
  settings: RegionSettings, newId: () => string, looked: { offers?: OfferResolution; person?: User } = {},
): { result: Applied; entry: Entry } {
  const persisted = JSON.parse(row.snapshot) as PersistedReferral;
  const regisseur = regisseurFor(actor, type, event, row, persisted, looked.person);
  const stamped = stamp(event, at, newId, looked.offers, regisseur);
  const result = step(row.machineVersion, persisted, stamped, envFor(settings, at));
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
  return { result, entry: { type, at, actor: asTrailActor(actor), payload } };
}

/**
 * The regisseur an event makes (§6.3), from `person`, the user the engine looked up for
 * `regisseurWanted`: 422 UNKNOWN_PERSON for a person named who cannot be one, once the state takes
 * the event (a 409 goes first, DESIGN §3's order); none for a signed-in person who cannot be one.
 */
function regisseurFor(actor: Actor, type: EventType, event: ReferralEvent, row: CaseRow, persisted: PersistedReferral,
  person: User | undefined): Regisseur | undefined {
  const wanted = regisseurWanted(actor, event, row.machineVersion);
  if (!wanted || !acceptedEvents(row.machineVersion, persisted).includes(type)) return undefined;
  const regisseur = regisseurOf(person?.id === wanted.userId ? person : undefined, row.region);
  if (regisseur) return regisseur;
  if (!wanted.named) return undefined;
  const field = type === 'ASSIGN' ? 'userId' : 'regisseur';
  throw new AppError('UNKNOWN_PERSON', `${field} is not an active expert-team person of the case's region`, {
    invalidParams: [{ name: field, reason: 'not an active expert-team person of the case\'s region' }],
  });
}

/** A due deadline on the case as stored: stale (the machine no longer waits for it) or fired. */
export type TimerDecision =
  | { outcome: 'stale' }
  | { outcome: 'fired'; result: Applied; entry: Entry; notice: Record<string, unknown> };

export function decideTimer(timer: TimerRow, row: CaseRow, at: string, settings: RegionSettings,
  scheduler: TrailActor): TimerDecision {
  const event = { ...(JSON.parse(timer.event) as DeadlinePassedEvent), at };
  const result = step(row.machineVersion, JSON.parse(row.snapshot) as PersistedReferral, event, envFor(settings, at));
  if (result.outcome !== 'applied') return { outcome: 'stale' };
  const payload = {
    deadline: event.deadline, dueAt: event.dueAt,
    ...(event.commitmentId === undefined ? {} : { commitmentId: event.commitmentId }),
  };
  return {
    outcome: 'fired', result,
    entry: { type: 'DEADLINE_PASSED', at, actor: scheduler, payload },
    notice: { ...payload, state: result.state, version: row.version + 1 },
  };
}

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
