/**
 * The cases of the report bench: varied, realistic lifecycles built with the statechart itself
 * (machines/referral.ts `submit` and `step`), written by the engine's own case writer
 * (src/cases/case-writes.ts), so they are exactly the rows the engine writes: the case row with
 * its snapshot, the trail, the audit entries, the timers and the notifications. Every case has EVENTS_PER_CASE trail
 * entries (padded with notes), so
 * 100,000 cases make 1,000,000 events. Deterministic: case i is the same in every run.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../src/store/sqlite/client.ts';
import { REFERRAL_MACHINE_VERSION } from '../machines/referral.machine.ts';
import {
  CaseSubmissionSchema, DISRUPTIONS, EVENT_SCHEMAS, PROBLEM_AREAS, type CaseSubmissionInput, type EventType,
  type ReferralEvent,
} from '../machines/referral.schemas.ts';
import { DEFAULT_ENV_SETTINGS } from '../machines/referral.deadlines.ts';
import { stamp as stampEvent, step, submit, type PersistedReferral } from '../machines/referral.ts';
import { caseWriter } from '../src/store/sqlite/writer.ts';

type CaseWriter = ReturnType<typeof caseWriter>;
import { events, helpItem, submission } from '../test/support/fixtures.ts';
import type { CaseRow } from '../src/store/rows.ts';
import type { Actor } from '../src/auth/actors.ts';
import type { TrailActor } from '../src/cases/case-writes.ts';

export const EVENTS_PER_CASE = 10;
export const REGIONS = 10;
const DAY = 86_400_000;
const BASE = Date.parse('2024-01-01T08:00:00Z');
/** Cases are submitted over two years; events follow at gaps of up to three weeks. */
export const WINDOW = { from: '2024-01-01', to: '2026-12-31' };

/** mulberry32: a small seeded PRNG, so every run loads the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FULL: EventType[] = ['START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE'];
/** Lifecycles and how often they occur (weights). `WAIT` advices wait, so they need a plan. */
const PATHS: [number, EventType[]][] = [
  [30, [...FULL, 'SET_BRIDGING_PLAN', 'REPORT_PROGRESS', 'REPORT_PROGRESS', 'CLOSE']],
  [12, [...FULL, 'REPORT_PROGRESS', 'REPORT_PROGRESS', 'CLOSE']],
  [10, [...FULL, 'REPORT_PROGRESS']],
  [4, [...FULL, 'REQUEST_REASSESSMENT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE']],
  [10, ['START_TRIAGE', 'REQUEST_INFORMATION', 'PROVIDE_INFORMATION', 'DECLINE']],
  [8, ['START_TRIAGE', 'CONSULT']],
  [4, ['START_TRIAGE', 'WITHDRAW']],
  [4, ['START_TRIAGE', 'ACCEPT', 'ESCALATE']],
  [3, []], [3, ['START_TRIAGE']], [3, ['START_TRIAGE', 'REQUEST_INFORMATION']],
  [3, ['START_TRIAGE', 'ACCEPT']], [3, FULL.slice(0, 3)], [3, FULL.slice(0, 4)],
];
const TOTAL_WEIGHT = PATHS.reduce((sum, [w]) => sum + w, 0);

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

function pathOf(r: () => number): EventType[] {
  let x = r() * TOTAL_WEIGHT;
  for (const [weight, path] of PATHS) if ((x -= weight) < 0) return path;
  return [];
}

function submissionOf(r: () => number, region: number, at: number): CaseSubmissionInput {
  const status = pick(r, ['attending', 'attending', 'partial', 'not_attending', 'not_applicable'] as const);
  const areas = [...new Set([pick(r, PROBLEM_AREAS), pick(r, PROBLEM_AREAS)])];
  return submission({
    referrer: { kind: pick(r, ['professional', 'professional', 'professional', 'parent', 'youth'] as const) },
    subject: { reference: `B-${Math.floor(r() * 1e9)}`, birthYear: 2006 + Math.floor(r() * 14),
      municipalityCode: `GM${String(region * 10 + Math.floor(r() * 8)).padStart(4, '0')}` },
    problemAreas: areas,
    school: status === 'not_attending'
      ? { status, notAttendingSince: new Date(at - r() * 300 * DAY).toISOString().slice(0, 10) }
      : { status },
  });
}

/** The body of one event of a case, with some variety in what the figures count. */
function bodyOf(r: () => number, type: EventType, at: number, waits: boolean): Record<string, unknown> {
  const taking = () => pick(r, ['present', 'present', 'heard_beforehand', 'represented', 'not_involved'] as const);
  switch (type) {
    case 'RECORD_OVERLEG': {
      const [youth, parents] = [taking(), taking()];
      return events.RECORD_OVERLEG({
        heldAt: new Date(at - r() * 0.5 * DAY).toISOString(),
        youth: youth === 'not_involved' ? { participation: youth, reason: { code: 'capacity' } } : { participation: youth },
        parents: parents === 'not_involved' ? { participation: parents, reason: { code: 'unreachable' } } : { participation: parents },
        disruptions: DISRUPTIONS.filter(() => r() < 0.4),
      });
    }
    case 'SCHEDULE_OVERLEG':
      return events.SCHEDULE_OVERLEG({ scheduledAt: new Date(at).toISOString() });
    case 'SET_BRIDGING_PLAN':
      return events.SET_BRIDGING_PLAN({ reviewAt: new Date(at + 30 * DAY).toISOString().slice(0, 10) });
    case 'ISSUE_ADVICE':
      return events.ISSUE_ADVICE({ helpItems: [helpItem(waits ? 2 + Math.floor(r() * 12) : 0),
        ...(r() < 0.5 ? [{ ...helpItem(0), kind: 'existing_offer' as const }] : [])] });
    case 'REPORT_PROGRESS':
      return events.REPORT_PROGRESS({ helpStarted: r() < 0.6 });
    case 'CLOSE': {
      const outcome = pick(r, ['help_in_place', 'help_in_place', 'no_longer_needed', 'other'] as const);
      // A case closed without the help in place says why (§6.1).
      return events.CLOSE({ outcome, familyViewOfFit: pick(r, ['fits', 'fits', 'partly', 'does_not_fit', 'not_asked'] as const),
        ...(outcome === 'help_in_place' ? {} : { explanation: 'De jongere en ouders hebben zelf passende hulp gevonden.' }) });
    }
    default:
      return events[type]() as unknown as Record<string, unknown>;
  }
}

export interface RegionActors {
  localTeam: Actor;
  expertTeam: Actor;
}

/**
 * Case `i` as the writes the engine would make for it: the submission (row, timers, entry) and
 * each applied step with its trail entry. Pure (no database), so it can be computed outside the
 * write transaction, in another thread (see report-load.ts).
 */
export interface CasePlan {
  row: CaseRow;
  /** The case as submitted: its snapshot and facts are written from this. */
  persisted: PersistedReferral;
  timers: Parameters<CaseWriter['create']>[2];
  entry: Parameters<CaseWriter['create']>[3];
  steps: { result: Parameters<CaseWriter['advance']>[1]; entry: Parameters<CaseWriter['advance']>[2] }[];
}

export function planCase(actors: RegionActors[], i: number): CasePlan {
  const r = rng(i + 1);
  const region = i % REGIONS;
  const { localTeam, expertTeam } = actors[region]!;
  let at = BASE + r() * 730 * DAY;
  const sub = CaseSubmissionSchema.parse(submissionOf(r, region, at));
  const submittedAt = new Date(at).toISOString();
  const env = (now: string) => ({ ...DEFAULT_ENV_SETTINGS, now });
  const first = submit({ submission: sub, env: env(submittedAt) });
  let persisted: PersistedReferral = first.persisted;
  const row: CaseRow = {
    seq: 0, id: randomUUID(), state: first.state, version: 1, machineVersion: REFERRAL_MACHINE_VERSION,
    region: localTeam.region, organisation: localTeam.organisation,
    municipality: sub.subject.municipalityCode, snapshot: '', facts: null, erasedAt: null, overdue: 0, regisseur: null,
    createdAt: submittedAt, updatedAt: submittedAt,
  };
  const plan: CasePlan = {
    row, persisted: first.persisted, timers: first.timers,
    entry: { type: 'SUBMIT', at: submittedAt, actor: trailActor(localTeam), payload: sub },
    steps: [],
  };
  const path = pathOf(r);
  const waits = path.includes('SET_BRIDGING_PLAN') || (path.length === 5 && r() < 0.5);
  for (const type of [...path, ...Array<EventType>(EVENTS_PER_CASE - 1 - path.length).fill('ADD_NOTE')]) {
    at += (0.5 + r() * 20) * DAY;
    const stamp = new Date(at).toISOString();
    const body = EVENT_SCHEMAS[type].parse(bodyOf(r, type, at, waits)) as ReferralEvent;
    // Help in place needs every help item started first (§5.2): the local team reports each.
    const before = body.type === 'CLOSE' && body.outcome === 'help_in_place'
      ? persisted.context.record.helpItems.map((item) => EVENT_SCHEMAS.UPDATE_HELP_ITEM.parse(
        events.UPDATE_HELP_ITEM({ itemId: item.id, date: stamp.slice(0, 10) })) as ReferralEvent)
      : [];
    for (const event of [...before, body]) {
      const stamped = stampEvent(event, stamp, () => randomUUID());
      const result = step(REFERRAL_MACHINE_VERSION, persisted, stamped, env(stamp));
      if (result.outcome !== 'applied') throw new Error(`bench case ${i}: ${event.type} ${JSON.stringify(result)}`);
      persisted = result.persisted;
      const { type: _t, at: _at, ...payload } = stamped;
      const actor = ['ADD_NOTE', 'PROVIDE_INFORMATION', 'UPDATE_HELP_ITEM'].includes(event.type) ? localTeam : expertTeam;
      plan.steps.push({ result, entry: { type: event.type, at: stamp, actor: trailActor(actor), payload } });
    }
  }
  return plan;
}

/** Writes a planned case through the case writer. The caller holds a transaction. */
export function writePlan(writer: CaseWriter, plan: CasePlan): void {
  const { seq: _seq, snapshot: _snapshot, facts: _facts, ...insert } = plan.row;
  let row: CaseRow = { ...plan.row, ...writer.create(insert, plan.persisted, plan.timers, plan.entry) };
  for (const s of plan.steps) row = writer.advance(row, s.result, s.entry);
}

/** Writes case `i` and its EVENTS_PER_CASE trail entries. The caller holds a transaction. */
export function writeCase(writer: CaseWriter, actors: RegionActors[], i: number): void {
  writePlan(writer, planCase(actors, i));
}

const trailActor = (a: Actor): TrailActor =>
  ({ role: a.role, organisation: a.organisation, name: a.name, clientId: a.clientId });

/** Cases [from, to) in transactions of 1,000. */
export function loadCases(db: Db, actors: RegionActors[], from: number, to: number): void {
  const writer = caseWriter(db);
  const batch = db.$client.transaction((start: number, end: number) => {
    for (let i = start; i < end; i++) writeCase(writer, actors, i);
  });
  for (let start = from; start < to; start += 1000) batch(start, Math.min(to, start + 1000));
}
