/**
 * EXPERIMENT (not the service): the engine's applyTx with one change, to measure a proposed fix
 * to machines/referral.ts before anyone makes it. `step` calls XState's `transition(machine,
 * snapshot, event)`, which builds a throwaway Actor per call (createInertActorScope ->
 * createActor -> the Actor constructor computes the machine's initial snapshot, and the referral
 * context factory throws on the missing input). `stepReusingScope` below is `step` with that
 * inert actor scope built once per machine and reused: it calls `machine.transition(snapshot,
 * event, scope)`, which is what `transition()` does after building the scope. The referral
 * machine spawns no actors, so nothing is left in the shared scope between calls.
 *
 * The rest is a copy of applyTx in src/cases/case-engine.ts (same repository, zod, caseView).
 */
import { createActor, type AnyActorScope } from 'xstate';
import type { Db } from '../db/client.ts';
import { ruleViolation } from '../machines/referral.rules.ts';
import { EVENT_SCHEMAS, type EventType } from '../machines/referral.schemas.ts';
import { lifecycleState, type StampedEvent } from '../machines/referral.machine.ts';
import { acceptedEvents, machineFor, type PersistedReferral, type StepResult } from '../machines/referral.ts';
import type { Actor } from '../src/auth/api-clients.ts';
import { canSee } from '../src/cases/access.ts';
import type { EventRequest } from '../src/cases/case-engine.ts';
import { caseRepository } from '../src/cases/case-repository.ts';
import { caseView, type CaseView } from '../src/cases/case-view.ts';
import type { Clock } from '../src/clock.ts';
import { parseBody } from '../src/validation.ts';

const scopes = new Map<string, AnyActorScope>();

function inertScope(version: string): AnyActorScope {
  let scope = scopes.get(version);
  if (!scope) {
    const self = (createActor as unknown as (m: unknown) => AnyActorScope['self'])(machineFor(version));
    scope = {
      self, defer: () => {}, id: '', logger: () => {}, sessionId: '', stopChild: () => {},
      system: self.system, emit: () => {}, actionExecutor: () => {},
    } as unknown as AnyActorScope;
    scopes.set(version, scope);
  }
  return scope;
}

export function stepReusingScope(version: string, persisted: PersistedReferral, event: StampedEvent): StepResult {
  const accepted = acceptedEvents(version, persisted);
  if (!accepted.includes(event.type)) {
    return { outcome: 'not_accepted', state: lifecycleState(persisted.value), accepted };
  }
  const code = ruleViolation(event);
  if (code) return { outcome: 'rule_broken', code };
  const machine = machineFor(version);
  const next = machine.transition(machine.resolveState(persisted), event, inertScope(version) as never);
  return {
    outcome: 'applied',
    persisted: { value: next.value, context: next.context },
    state: lifecycleState(next.value),
  };
}

/** applyEvent of src/cases/case-engine.ts with stepReusingScope; error paths trimmed to throws. */
export function caseEngineReusingScope(db: Db, clock: Clock) {
  const repo = caseRepository(db);
  const applyTx = db.$client.transaction((actor: Actor, request: EventRequest): CaseView => {
    const row = repo.find(request.caseId);
    if (!row || !canSee(actor, row)) throw new Error('not found');
    const type = (request.body as { type: EventType }).type;
    const { type: _type, ...payload } = parseBody(EVENT_SCHEMAS[type], request.body);
    const at = clock.now().toISOString();
    const persisted = JSON.parse(row.snapshot) as PersistedReferral;
    const result = stepReusingScope(row.machineVersion, persisted, { type, ...payload, at } as never);
    if (result.outcome !== 'applied') throw new Error(`not applied: ${result.outcome}`);
    const version = row.version + 1;
    const next = { ...row, state: result.state, version, updatedAt: at, snapshot: JSON.stringify(result.persisted) };
    if (!repo.update({ ...next, expectedVersion: row.version })) throw new Error('version mismatch');
    repo.appendEvent({
      caseId: row.id, version, type, at, actorRole: actor.role, actorOrganisation: actor.organisation,
      actorName: actor.name, actorClientId: actor.clientId, payload: JSON.stringify(payload), state: result.state,
    });
    return caseView(next, result.persisted, actor.role);
  });
  return { applyEvent: (actor: Actor, request: EventRequest): CaseView => applyTx.immediate(actor, request) };
}
