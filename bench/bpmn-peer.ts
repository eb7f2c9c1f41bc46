/**
 * Phase (j): a side-by-side peer. The same lifecycle, submission to follow-up (triage, acceptance,
 * overleg planned and held, an advice with a waiting time, a bridging plan, a progress report),
 * once through passend's engine in process and once on bpmn-engine (an open-source BPMN 2.0
 * engine for Node.js) with its state saved to SQLite after every step, as its documentation
 * suggests ("persist state on events"). Both on a temporary file with synchronous=OFF, so the
 * disk is out of it; passend also checks every rule, writes the trail, the audit entry, the
 * timers and the notifications of every step, which the peer does not.
 * `passendToBpmnEngine` = passend's lifecycles per second / the peer's.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from 'bpmn-engine';
import { openDatabase } from '../db/client.ts';
import { createClient } from '../src/auth/api-clients.ts';
import { caseEngine } from '../src/cases/case-engine.ts';
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
  bpmnLifecyclesPerSec: number;
  passendToBpmnEngine: number;
}

/** One lifecycle on bpmn-engine, its state saved after the start and after every step. */
async function bpmnLifecycle(save: (id: string, state: string) => void, id: string): Promise<void> {
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
      for (let i = 0; i < 20; i++) lifecycle();
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
    const save = (id: string, state: string) => void upsert.run(id, state, new Date().toISOString());
    let bpmnSeconds: number;
    try {
      for (let i = 0; i < 20; i++) await bpmnLifecycle(save, `warm-${i}`);
      const start = performance.now();
      for (let i = 0; i < cases; i++) await bpmnLifecycle(save, `case-${i}`);
      bpmnSeconds = (performance.now() - start) / 1000;
      const saved = peer.prepare('SELECT count(*) FROM process_state').pluck().get() as number;
      if (saved !== cases + 20) throw new Error(`the peer saved ${saved} processes, expected ${cases + 20}`);
    } finally {
      peer.close();
    }
    const passend = cases / passendSeconds;
    const bpmn = cases / bpmnSeconds;
    return {
      passendLifecyclesPerSec: Math.round(passend * 10) / 10,
      bpmnLifecyclesPerSec: Math.round(bpmn * 10) / 10,
      passendToBpmnEngine: Math.round((passend / bpmn) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
