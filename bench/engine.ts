/**
 * Phase (b): the engine in process. caseEngine(db, systemClock).applyEvent with the real actors
 * of the seeded clients, the same event mix and order as the raw and HTTP phases.
 */
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { systemClock } from '../src/clock.ts';
import { MIX, eventsFor, planned, bodyOf, type Seeded } from './workload.ts';

export interface EngineRequest {
  caseId: string;
  step: number;
  round: number;
}

export function engineRequests(ids: string[]): EngineRequest[] {
  const out: EngineRequest[] = [];
  for (let i = 0; i < eventsFor(ids.length); i++) {
    const { caseIndex, step, round } = planned(i, ids.length);
    out.push({ caseId: ids[caseIndex]!, step, round });
  }
  return out;
}

/** Applies one planned event through the engine; throws on anything but success. */
export function engineApplier(
  seeded: Seeded,
  makeEngine: (db: Seeded['db'], clock: typeof systemClock) => Pick<ReturnType<typeof caseEngine>, 'applyEvent'> = caseEngine,
): (r: EngineRequest) => void {
  const engine = makeEngine(seeded.db, systemClock);
  // One body object per mix step, built before timing (the engine never mutates a body).
  const bodies = MIX.map((_, step) => bodyOf(step));
  const actors = MIX.map((s) => seeded.clients[s.as].actor);
  return (r) => {
    const view = engine.applyEvent(actors[r.step]!, { caseId: r.caseId, body: bodies[r.step] });
    if (view.version !== r.round + 2) throw new Error(`engine: case ${r.caseId} at version ${view.version}`);
  };
}
