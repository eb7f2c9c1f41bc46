/**
 * The bench workload shared by the three phases: how many cases, which events in which order,
 * and seeding a fresh database file with the same pragmas and checkpoint arrangement as the
 * service (synchronous FULL, WAL, wal_autocheckpoint = 0; the background checkpointer is started
 * by each phase).
 *
 * Event mix (the same for raw, engine and HTTP): half START_TRIAGE (expert team), half ADD_NOTE
 * (local team), alternating over the cases. With BENCH_ROUNDS=1 (the default) every case gets
 * one event; with 2, a second pass gives every case the other event of the mix (both orders are
 * valid: a note fits any state, and a case with a note is still `submitted`). Event i goes to case
 * i % cases in round floor(i / cases), so two events on the same case are `cases` events apart
 * and never in flight together over HTTP.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from '../db/schema.ts';
import { openDatabase, type Db } from '../src/store/sqlite/client.ts';
import type { EventType } from '../machines/referral.schemas.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { ManualClock } from '../src/clock.ts';
import { events, submission } from '../test/support/fixtures.ts';
import type { Actor } from '../src/auth/actors.ts';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};

/** Cases measured per phase (the brief asks for at least 10,000). */
export const CASES = envInt('BENCH_CASES', 10_000);
/** Extra cases per phase used only to warm up (never timed). */
export const WARMUP_CASES = envInt('BENCH_WARMUP_CASES', 400);
/** Events per case (1 or 2). */
export const ROUNDS = envInt('BENCH_ROUNDS', 1);
export const CONNECTIONS = 10;
/** Background checkpointer interval, the service default (CHECKPOINT_INTERVAL_MS). */
export const CHECKPOINT_INTERVAL_MS = 1000;

export type Sender = 'expertTeam' | 'localTeam';

export interface MixStep {
  type: EventType;
  as: Sender;
}

export const MIX: readonly MixStep[] = [
  { type: 'START_TRIAGE', as: 'expertTeam' },
  { type: 'ADD_NOTE', as: 'localTeam' },
];

if (ROUNDS > MIX.length) throw new Error(`BENCH_ROUNDS is at most ${MIX.length}`);

export const MIX_LABEL = `${MIX.map((s) => `${s.type} (${s.as})`).join(' and ')}, alternating over the cases, ` +
  `${ROUNDS} event${ROUNDS > 1 ? 's' : ''} per case`;

export interface PlannedEvent {
  caseIndex: number;
  /** Index into MIX. */
  step: number;
  /** 0 for a case's first event, 1 for its second. */
  round: number;
}

/** The i-th event of a run over `cases` cases. */
export function planned(i: number, cases: number): PlannedEvent {
  const caseIndex = i % cases;
  const round = Math.floor(i / cases);
  return { caseIndex, step: (caseIndex + round) % MIX.length, round };
}

export const eventsFor = (cases: number): number => cases * ROUNDS;

/** The request body of a mix step: a fresh valid fixture payload. */
export function bodyOf(step: number): Record<string, unknown> {
  const { type } = MIX[step]!;
  return events[type]() as unknown as Record<string, unknown>;
}

export interface Client {
  token: string;
  actor: Actor;
}

export interface Seeded {
  db: Db;
  path: string;
  clients: Record<Sender, Client>;
  /** Ids of the timed cases. */
  caseIds: string[];
  /** Ids of the warm-up cases. */
  warmupIds: string[];
}

/**
 * The clock the cases are submitted with: an hour before the real time of the run, one
 * millisecond per case. The phases apply their events at the real time (systemClock, and the
 * server's own clock), so the triage deadline every submission arms (P5D, or P1D if urgent)
 * lies days ahead of every timed event: no event first catches up a passed deadline. (A fixed
 * date here made every event of a run after that date fire a due timer first.) The timers
 * phase (timers.ts) moves its own ManualClock past these due times.
 */
export const SEED_LEAD_MS = 3_600_000;
export const seedClock = (): ManualClock => new ManualClock(new Date(Date.now() - SEED_LEAD_MS));

/**
 * A fresh database at `path`, opened as the server opens it (synchronous FULL, WAL,
 * wal_autocheckpoint 0), with one client per sending role and `cases + warmup` submitted cases.
 * The submissions go through the real engine, nested in one outer transaction (savepoints) so
 * seeding pays for one fsync rather than one per case. The WAL is truncated afterwards, so every
 * phase starts from an empty WAL.
 */
export function seedDatabase(path: string, cases: number, warmup: number): Seeded {
  const db = openDatabase(path, { synchronous: 'FULL', walAutocheckpoint: 0 });
  assertServicePragmas(db);
  const clock = seedClock();
  const clients: Record<Sender, Client> = {
    localTeam: createClient(db, { role: 'local_team', organisation: 'wt-noord', region: 'R01',
      name: 'local_team wt-noord' }, clock.now()),
    expertTeam: createClient(db, { role: 'expert_team', organisation: 'ret-r01', region: 'R01',
      name: 'expert_team ret-r01' }, clock.now()),
  };
  const engine = caseEngine(db, clock);
  const body = submission();
  const ids: string[] = [];
  db.$client.transaction(() => {
    for (let i = 0; i < cases + warmup; i++) {
      clock.advance(1);
      ids.push(engine.submit(clients.localTeam.actor, body).id);
    }
  })();
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  return { db, path, clients, warmupIds: ids.slice(0, warmup), caseIds: ids.slice(warmup) };
}

/**
 * A fresh database file at `toPath` holding exactly what `from` holds (same case ids, same
 * clients and tokens), opened as the server opens it. `from` must be closed (no WAL left).
 */
export function cloneDatabase(from: Omit<Seeded, 'db'>, toPath: string): Seeded {
  if (existsSync(`${from.path}-wal`)) throw new Error(`${from.path} still has a WAL; close it first`);
  copyFileSync(from.path, toPath);
  // Flush the copy now, so that no phase's commits pay for writing it back.
  for (const [path, flags] of [[toPath, 'r+'], [dirname(toPath), 'r']] as const) {
    const fd = openSync(path, flags);
    try { fsyncSync(fd); } finally { closeSync(fd); }
  }
  const db = openDatabase(toPath, { synchronous: 'FULL', walAutocheckpoint: 0 });
  assertServicePragmas(db);
  return { ...from, db, path: toPath };
}

/**
 * An in-memory copy of `from` (no file, no fsync): for capturing what the engine executes
 * without disturbing the disk the phases are timed on.
 */
export function memoryCopy(from: Omit<Seeded, 'db'>): Seeded {
  const image = readFileSync(from.path);
  // Bytes 18 and 19 of the header say "WAL" (2); an in-memory database cannot use a WAL, so mark
  // the image as a rollback-journal database (1). Nothing else in the file depends on it.
  image[18] = 1;
  image[19] = 1;
  const sqlite = new Database(image);
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle({ client: sqlite, schema }) as Db;
  return { ...from, db, path: ':memory:' };
}

/** Fails unless the connection has the service's pragmas. */
export function assertServicePragmas(db: Db): void {
  const sqlite = db.$client;
  const journal = sqlite.pragma('journal_mode', { simple: true });
  const synchronous = sqlite.pragma('synchronous', { simple: true });
  const autocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true });
  if (journal !== 'wal' || synchronous !== 2 || autocheckpoint !== 0) {
    throw new Error(`unexpected pragmas: journal_mode=${String(journal)} synchronous=${String(synchronous)} ` +
      `wal_autocheckpoint=${String(autocheckpoint)} (want wal, 2 = FULL, 0)`);
  }
}

/** Row count and total bytes of what the events wrote, to check two phases wrote the same. */
export function writtenVolume(db: Db): { cases: number; snapshotBytes: number; events: number; payloadBytes: number } {
  const sqlite = db.$client;
  const c = sqlite.prepare('select count(*) n, sum(length(snapshot)) b from cases').get() as { n: number; b: number };
  const e = sqlite.prepare("select count(*) n, sum(length(payload)) b from case_events where type <> 'SUBMIT'")
    .get() as { n: number; b: number };
  return { cases: c.n, snapshotBytes: c.b, events: e.n, payloadBytes: e.b ?? 0 };
}
