/**
 * Phase (j): a side-by-side peer. The same lifecycle, submission to follow-up (triage, acceptance,
 * overleg planned and held, an advice with a waiting time, a bridging plan, a progress report),
 * once through passend's engine in process and once on bpmn-engine (an open-source BPMN 2.0
 * engine for Node.js) with its state saved to SQLite after every step, as its documentation
 * suggests ("persist state on events"). Both on a temporary file with synchronous=OFF, so the
 * disk is out of it; passend also checks every rule, writes the trail, the audit entry, the
 * timers and the notifications of every step, which the peer does not.
 *
 * The peer runs in two shapes:
 * - as a service runs it (`passendToBpmnEngine`): every step is its own request, as every event is
 *   for passend: the process state is read from SQLite, the engine recovered from it and resumed,
 *   the waiting task signalled, the new state saved and the engine stopped. passend too reads the
 *   case from its store on every event and keeps nothing between requests.
 * - live (`passendToBpmnEngineLive`): one engine per lifecycle kept in memory from start to end,
 *   its state only written after each step, never read back. Kinder to the peer than any service
 *   can be (a restart or a second instance loses what is only in memory); shown beside it.
 *
 * Each ratio = passend's lifecycles per second / the peer's.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from 'bpmn-engine';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { ManualClock } from '../src/clock.ts';
import { events, fixtureClock, helpItem, submission } from '../test/support/fixtures.ts';

const STEPS = ['triage', 'accept', 'scheduleOverleg', 'recordOverleg', 'issueAdvice', 'setBridgingPlan', 'reportProgress'];

const SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="referral" targetNamespace="https://passend.example/bpmn">
  <process id="lifecycle" isExecutable="true">
    <startEvent id="submitted" />
    ${STEPS.map((s) => `<userTask id="${s}" />`).join('\n    ')}
    <endEvent id="followUp" />
    ${['submitted', ...STEPS].map((from, i) =>
    `<sequenceFlow id="flow${i}" sourceRef="${from}" targetRef="${STEPS[i] ?? 'followUp'}" />`).join('\n    ')}
  </process>
</definitions>`;

export interface PeerFigures {
  passendLifecyclesPerSec: number;
  /** The peer as a service runs it: recovered from its saved state for every step. */
  bpmnLifecyclesPerSec: number;
  passendToBpmnEngine: number;
  /** The peer with one live engine per lifecycle, its state written after every step. */
  bpmnLiveLifecyclesPerSec: number;
  passendToBpmnEngineLive: number;
}

interface PeerStore {
  save(id: string, state: string): void;
  load(id: string): string;
}

/** One lifecycle on one live bpmn-engine, its state saved after the start and after every step. */
async function bpmnLiveLifecycle({ save }: PeerStore, id: string): Promise<void> {
  const engine = new Engine({ name: id, source: SOURCE });
  const listener = new EventEmitter();
  const ended = new Promise<void>((resolve, reject) => {
    engine.once('end', () => resolve());
    engine.once('error', reject);
  });
  listener.on('wait', (api: { signal: (message?: unknown) => void }) => {
    void engine.getState().then((state) => {
      save(id, JSON.stringify(state));
      api.signal({ by: 'bench' });
    });
  });
  await engine.execute({ listener });
  await ended;
  save(id, JSON.stringify(await engine.getState()));
}

/** A submission as a request: the process started, run to its first task, saved, stopped. */
async function bpmnStart(store: PeerStore, id: string): Promise<void> {
  const engine = new Engine({ name: id, source: SOURCE });
  const listener = new EventEmitter();
  const waiting = new Promise<void>((resolve) => listener.once('wait', () => resolve()));
  await engine.execute({ listener });
  await waiting;
  store.save(id, JSON.stringify(await engine.getState()));
  await engine.stop();
}

/**
 * One step as a request: the engine recovered from the saved state and resumed; the task it waits
 * in (which must be `task`) is signalled; the state is saved once the next task waits or the
 * process ended. Returns the next task's id, or 'end'.
 */
async function bpmnStep(store: PeerStore, id: string, task: string): Promise<string> {
  const engine = new Engine({ name: id }).recover(JSON.parse(store.load(id)));
  const listener = new EventEmitter();
  const next = new Promise<string>((resolve, reject) => {
    let resumed = false;
    listener.on('wait', (api: { id: string; signal: (message?: unknown) => void }) => {
      if (resumed) return resolve(api.id);
      resumed = true;
      if (api.id !== task) return reject(new Error(`the peer waits in ${api.id}, not ${task}`));
      api.signal({ by: 'bench' });
    });
    engine.once('end', () => resolve('end'));
    engine.once('error', reject);
  });
  await engine.resume({ listener });
  const reached = await next;
  store.save(id, JSON.stringify(await engine.getState()));
  // An ended engine has nothing to stop (and its stop() would not settle).
  if (reached !== 'end') await engine.stop();
  return reached;
}

async function bpmnServiceLifecycle(store: PeerStore, id: string): Promise<void> {
  await bpmnStart(store, id);
  for (let i = 0; i < STEPS.length; i++) {
    const reached = await bpmnStep(store, id, STEPS[i]!);
    if (reached !== (STEPS[i + 1] ?? 'end')) throw new Error(`the peer went from ${STEPS[i]} to ${reached}`);
  }
}

export async function benchBpmnPeer(parentDir = tmpdir(), cases = 300): Promise<PeerFigures> {
  const dir = mkdtempSync(join(parentDir, 'passend-peer-'));
  try {
    // passend: the same lifecycle through the engine, every rule checked, every write made.
    const db = openDatabase(join(dir, 'passend.db'), { synchronous: 'OFF' });
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    const previous = fixtureClock.now;
    fixtureClock.now = () => clock.now();
    let passendSeconds: number;
    try {
      const engine = caseEngine(db, clock);
      const client = (role: 'local_team' | 'expert_team') =>
        createClient(db, { role, organisation: `o-${role}`, region: 'R01', name: role }, clock.now()).actor;
      const local = client('local_team');
      const expert = client('expert_team');
      const lifecycle = (): void => {
        const { id } = engine.submit(local, submission());
        for (const body of [events.START_TRIAGE(), events.ACCEPT(), events.SCHEDULE_OVERLEG(), events.RECORD_OVERLEG(),
          events.ISSUE_ADVICE({ helpItems: [helpItem(6)] }), events.SET_BRIDGING_PLAN()]) {
          engine.applyEvent(expert, { caseId: id, body });
        }
        const view = engine.applyEvent(local, { caseId: id, body: events.REPORT_PROGRESS() });
        if (view.state !== 'follow_up') throw new Error(`passend lifecycle ended in ${view.state}`);
      };
      for (let i = 0; i < 200; i++) lifecycle();
      const start = performance.now();
      for (let i = 0; i < cases; i++) lifecycle();
      passendSeconds = (performance.now() - start) / 1000;
    } finally {
      fixtureClock.now = previous;
      db.$client.close();
    }

    // The peer: bpmn-engine, its state upserted into SQLite after every step.
    const peer = new Database(join(dir, 'bpmn.db'));
    peer.pragma('journal_mode = WAL');
    peer.pragma('synchronous = OFF');
    peer.exec('CREATE TABLE process_state (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)');
    const upsert = peer.prepare(`INSERT INTO process_state (id, state, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
    const select = peer.prepare('SELECT state FROM process_state WHERE id = ?').pluck();
    const store: PeerStore = {
      save: (id, state) => void upsert.run(id, state, new Date().toISOString()),
      load: (id) => {
        const state = select.get(id) as string | undefined;
        if (state === undefined) throw new Error(`the peer has no state for ${id}`);
        return state;
      },
    };
    const timeLifecycles = async (shape: string, lifecycle: (store: PeerStore, id: string) => Promise<void>) => {
      for (let i = 0; i < 20; i++) await lifecycle(store, `${shape}-warm-${i}`);
      const start = performance.now();
      for (let i = 0; i < cases; i++) await lifecycle(store, `${shape}-${i}`);
      return (performance.now() - start) / 1000;
    };
    let serviceSeconds: number;
    let liveSeconds: number;
    try {
      serviceSeconds = await timeLifecycles('service', bpmnServiceLifecycle);
      liveSeconds = await timeLifecycles('live', bpmnLiveLifecycle);
      const saved = peer.prepare('SELECT count(*) FROM process_state').pluck().get() as number;
      if (saved !== 2 * (cases + 20)) throw new Error(`the peer saved ${saved} processes, expected ${2 * (cases + 20)}`);
      const ended = peer.prepare('SELECT count(*) FROM process_state WHERE json_extract(state, \'$.state\') = \'idle\'')
        .pluck().get() as number;
      if (ended !== saved) throw new Error(`${saved - ended} of the peer's processes did not end`);
    } finally {
      peer.close();
    }
    const perSec = (seconds: number) => cases / seconds;
    const passend = perSec(passendSeconds);
    return {
      passendLifecyclesPerSec: Math.round(passend * 10) / 10,
      bpmnLifecyclesPerSec: Math.round(perSec(serviceSeconds) * 10) / 10,
      passendToBpmnEngine: Math.round((passend / perSec(serviceSeconds)) * 100) / 100,
      bpmnLiveLifecyclesPerSec: Math.round(perSec(liveSeconds) * 10) / 10,
      passendToBpmnEngineLive: Math.round((passend / perSec(liveSeconds)) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
