/**
 * The one place a case changes. Every write loads the case, steps the statechart with XState's
 * pure `transition` and stores the new snapshot (version + 1, optimistic check) with its event
 * row, all in ONE immediate transaction: a refused request rolls back and changes nothing.
 *
 * The checks run in the order DESIGN §3 fixes: 404 → 403 → 400 → 412 → 409 → 422.
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
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { EVENTS_BY_ROLE, maySend, SUBMITTING_ROLES } from '../../machines/referral.roles.ts';
import { step, submit, type PersistedReferral } from '../../machines/referral.ts';
import type { Actor } from '../auth/api-clients.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { parseBody, requireJsonObject } from '../validation.ts';
import { canSee } from './access.ts';
import { caseRepository, type NewCaseRow } from './case-repository.ts';
import { caseView, type CaseView } from './case-view.ts';

export interface EventRequest {
  caseId: string;
  body: unknown;
  /** The raw If-Match header, when sent. */
  ifMatch?: string;
}

export function caseEngine(db: Db, clock: Clock) {
  const repo = caseRepository(db);
  const sqlite = db.$client;

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
    const { persisted, state } = submit({
      submission,
      submittedAt: at,
      bridgingThresholdWeeks: repo.regionSettings(actor.region).bridgingThresholdWeeks,
    });
    const row: NewCaseRow = {
      id: randomUUID(), state, version: 1, machineVersion: REFERRAL_MACHINE_VERSION,
      region: actor.region, organisation: actor.organisation,
      municipality: submission.subject.municipalityCode,
      snapshot: JSON.stringify(persisted), createdAt: at, updatedAt: at,
    };
    repo.insert(row);
    repo.appendEvent(eventRow(row.id, 1, 'SUBMIT', at, actor, submission, state));
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
    const result = step(row.machineVersion, persisted, { type, ...payload, at } as never);
    if (result.outcome === 'not_accepted') {
      throw new AppError('EVENT_NOT_ALLOWED', `${type} is not allowed in state ${result.state}`, {
        state: result.state,
        allowedEvents: result.accepted.filter((t) => maySend(actor.role, t)),
      });
    }
    if (result.outcome === 'rule_broken') {
      throw new AppError(result.code, `${type} breaks rule ${result.code}`);
    }
    const version = row.version + 1;
    const next = { ...row, state: result.state, version, updatedAt: at,
      snapshot: JSON.stringify(result.persisted) };
    if (!repo.update({ ...next, expectedVersion: row.version })) {
      throw new AppError('VERSION_MISMATCH', 'the case changed while this event was applied');
    }
    repo.appendEvent(eventRow(row.id, version, type, at, actor, payload, result.state));
    return caseView(next, result.persisted, actor.role);
  });

  return {
    submit: (actor: Actor, body: unknown): CaseView => submitTx.immediate(actor, body),
    applyEvent: (actor: Actor, request: EventRequest): CaseView => applyTx.immediate(actor, request),
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

function eventRow(caseId: string, version: number, type: string, at: string, actor: Actor,
  payload: unknown, state: string) {
  return {
    caseId, version, type, at,
    actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name,
    actorClientId: actor.clientId, payload: JSON.stringify(payload), state,
  };
}
