/**
 * The one place a case changes on the SQLite store. Every write loads the case, decides with
 * case-decisions.ts (the checks in the order DESIGN §3 fixes, the statechart step with XState's
 * pure `transition`), and stores in ONE immediate transaction: the new snapshot (version + 1,
 * optimistic check), the trail entry, the timer changes the machine asked for, and the
 * notifications. A refused request rolls back and changes nothing. Due timers come back through
 * the same path (`fireTimer`), with the system as actor. The PostgreSQL engine
 * (src/store/postgres/engine.ts) makes the same decisions and the same writes, asynchronously.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './client.ts';
import type { EventRequest, TimerOutcome } from '../port.ts';
import type { Clock } from '../../clock.ts';
import { regionSettings } from './regions.ts';
import { checkEvent, decideEvent, decideSubmission, decideTimer, offerResolution } from '../../cases/case-decisions.ts';
import { offerIdsOf } from '../../../machines/referral.supply.ts';
import { offerRepository } from './offers.ts';
import { caseRepository } from './reads.ts';
import { caseWriter, withLatestNotes } from './writer.ts';
import { caseView, type CaseView } from '../../cases/case-view.ts';
import { idempotencyStore } from './idempotency.ts';
import type { KeyedRequest } from '../../cases/idempotency.ts';
import type { CaseRow } from '../rows.ts';
import type { Actor } from '../../auth/actors.ts';
import { SCHEDULER } from '../../cases/case-writes.ts';
import { regisseurOf, regisseurWanted } from '../../cases/regisseur.ts';
import { findUser } from './people.ts';

export function caseEngine(db: Db, clock: Clock) {
  const repo = caseRepository(db);
  const regions = regionSettings(db);
  const writer = caseWriter(db);
  const register = offerRepository(db);
  const sqlite = db.$client;

  const keys = idempotencyStore(db);
  const keyed = (actor: Actor, key: string | undefined, target: string, body: unknown): KeyedRequest | undefined =>
    (key === undefined ? undefined : { clientId: actor.clientId, key, target, body });

  const submitTx = sqlite.transaction((actor: Actor, body: unknown, key?: string): CaseView =>
    keys.once(keyed(actor, key, 'POST /cases', body), clock.now().toISOString(), 201, () => submitNew(actor, body)));

  function submitNew(actor: Actor, body: unknown): CaseView {
    const at = clock.now().toISOString();
    const decided = decideSubmission(actor, body, at, regions.get(actor.region), randomUUID());
    const row = writer.create(decided.row, decided.persisted, decided.timers, decided.entry);
    return caseView(row, decided.persisted, actor.role, at, 0);
  }

  const applyTx = sqlite.transaction((actor: Actor, request: EventRequest): CaseView =>
    keys.once(keyed(actor, request.idempotencyKey, `POST /cases/${request.caseId}/events`, request.body),
      clock.now().toISOString(), 200, () => applyNew(actor, request)));

  function applyNew(actor: Actor, request: EventRequest): CaseView {
    const checked = checkEvent(actor, repo.find(request.caseId), request.body, request.ifMatch);
    let { row } = checked;
    const at = clock.now().toISOString();
    // A deadline that passed before the scheduler's next round is recorded first, so that an
    // event leaving the phase cannot cancel it unrecorded. A refused event rolls this back too.
    const caughtUp = repo.dueTimersOf(row.id, at).filter((seq) => fire(seq, at) === 'fired').length;
    if (caughtUp > 0) row = repo.find(row.id) as CaseRow;
    const ids = offerIdsOf(checked.event);
    const offers = ids.length === 0 ? undefined : offerResolution(ids, register.resolve(row.region, ids));
    // §6.3: the person an event would make regisseur, looked up here; the decision is the same on either store.
    const wanted = regisseurWanted(actor, checked.event, row.machineVersion);
    const person = (wanted && findUser(db, wanted.userId)) || undefined;
    const { result, entry } = decideEvent(actor, checked.type, checked.event, row, at, regions.get(row.region), randomUUID,
      { offers, person });
    const next = writer.advance(row, result, entry);
    const shown = withLatestNotes(repo, row.id, result.persisted);
    const regisseur = next.regisseur === null ? null : regisseurOf(findUser(db, next.regisseur), next.region);
    return caseView(next, shown.persisted, actor.role, at, shown.notesTotal, regisseur);
  }

  /** Delivers one due timer as its event; fired at most once, because settling is in the same transaction. */
  const fireTx = sqlite.transaction((seq: number): TimerOutcome => fire(seq, clock.now().toISOString()));

  function fire(seq: number, at: string): TimerOutcome {
    const timer = repo.timer(seq);
    if (!timer || timer.status !== 'pending') return 'gone';
    const row = repo.find(timer.caseId);
    if (!row) throw new Error(`timer ${seq} names a missing case`);
    const decided = decideTimer(timer, row, at, regions.get(row.region), SCHEDULER);
    if (decided.outcome === 'stale') {
      repo.settleTimer(seq, 'cancelled', at);
      return 'stale';
    }
    repo.settleTimer(seq, 'fired', at);
    writer.advance(row, decided.result, decided.entry);
    writer.notify(row, 'deadline_passed', at, decided.notice);
    return 'fired';
  }

  return {
    /** `idempotencyKey`: the checked Idempotency-Key header (§5.6), when sent. */
    submit: (actor: Actor, body: unknown, idempotencyKey?: string): CaseView =>
      submitTx.immediate(actor, body, idempotencyKey),
    applyEvent: (actor: Actor, request: EventRequest): CaseView => applyTx.immediate(actor, request),
    fireTimer: (seq: number): TimerOutcome => fireTx.immediate(seq),
    /**
     * Settles up to `limit` timers due by now, each in its own transaction (a savepoint, when the
     * service runs the round in a group-commit batch). A timer that fails is rolled back, reported
     * to `onError` and left pending; the others still fire.
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

export type SyncCaseEngine = ReturnType<typeof caseEngine>;
