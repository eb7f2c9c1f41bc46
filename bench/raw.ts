/**
 * Phase (a): the raw better-sqlite3 rate of the very writes the engine makes per event.
 *
 * The statements and rows are captured from a real engine run: on a throwaway copy of the seeded
 * database, caseEngine.applyEvent applies the whole plan while every statement the repository
 * prepared records its calls (SQL, method, bound parameters, rows changed). BEGIN/COMMIT are not
 * captured (better-sqlite3's transaction wrapper prepares those itself). For the referral engine
 * that is, per event: SELECT the case row by id, UPDATE the case row (snapshot, state,
 * version + 1, updated_at WHERE id AND version), INSERT the case_events row.
 *
 * The timed loop then replays each event's calls, with the same SQL, the same parameters (so the
 * same snapshot JSON and payload strings) and the same statement mode, in one BEGIN IMMEDIATE
 * transaction per event (better-sqlite3's transaction().immediate, as the engine): no XState, no
 * zod, no drizzle. Each replayed write must change as many rows as it did in the engine run.
 */
import type Database from 'better-sqlite3';
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { systemClock } from '../src/clock.ts';
import { engineRequests } from './engine.ts';
import { MIX, bodyOf, type Seeded } from './workload.ts';

type Method = 'run' | 'get' | 'all';

export interface CapturedCall {
  sql: string;
  method: Method;
  /** Whether the statement was in raw (array) mode, as drizzle puts selects with fields. */
  raw: boolean;
  params: unknown[];
  /** run: rows changed; get: 1 if a row came back; all: rows returned. */
  outcome: number;
}

export interface CapturedEvent {
  calls: CapturedCall[];
}

/**
 * Runs the engine over the plan on `seeded` (a throwaway copy) and returns, for each planned
 * event, the statements it executed. The warm-up plan comes first, then the timed one.
 */
export function captureEngineWrites(seeded: Seeded): { warmup: CapturedEvent[]; timed: CapturedEvent[] } {
  const client = seeded.db.$client as Database.Database;
  let sink: CapturedCall[] | undefined;
  const original = client.prepare;
  // Every statement the repository prepares from here on reports its calls into `sink`.
  client.prepare = function (this: Database.Database, source: string) {
    const stmt = original.call(this, source);
    let rawMode = false;
    const proxy: Database.Statement = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'raw') {
          return (on?: boolean) => { rawMode = on ?? true; target.raw(rawMode); return proxy; };
        }
        if (prop === 'run' || prop === 'get' || prop === 'all') {
          return (...params: unknown[]) => {
            const result = (target[prop] as (...a: unknown[]) => unknown)(...params);
            const outcome = prop === 'run' ? (result as Database.RunResult).changes
              : prop === 'get' ? (result === undefined ? 0 : 1) : (result as unknown[]).length;
            sink?.push({ sql: source, method: prop, raw: rawMode, params, outcome });
            return result;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return proxy;
  } as Database.Database['prepare'];

  try {
    const engine = caseEngine(seeded.db, systemClock);
    const bodies = MIX.map((_, step) => bodyOf(step));
    const actors = MIX.map((s) => seeded.clients[s.as].actor);
    const run = (ids: string[]): CapturedEvent[] => engineRequests(ids).map((r) => {
      sink = [];
      engine.applyEvent(actors[r.step]!, { caseId: r.caseId, body: bodies[r.step] });
      const calls = sink;
      sink = undefined;
      if (!calls.some((c) => c.method === 'run')) throw new Error('capture: the engine wrote nothing');
      return { calls };
    });
    return { warmup: run(seeded.warmupIds), timed: run(seeded.caseIds) };
  } finally {
    client.prepare = original;
  }
}

/** The distinct statements of a capture, for the log. */
export function statementsOf(events: CapturedEvent[]): string[] {
  const seen = new Set<string>();
  for (const e of events) for (const c of e.calls) seen.add(`${c.method}${c.raw ? ' (raw)' : ''}: ${c.sql}`);
  return [...seen];
}

/** A function replaying one captured event in its own BEGIN IMMEDIATE transaction. */
export function rawReplayer(seeded: Seeded): (e: CapturedEvent) => void {
  const sqlite = seeded.db.$client;
  const statements = new Map<string, Database.Statement>();
  const statement = (sql: string, raw: boolean): Database.Statement => {
    const key = `${raw ? 1 : 0}${sql}`;
    let s = statements.get(key);
    if (!s) {
      s = sqlite.prepare(sql);
      if (raw) s.raw(true);
      statements.set(key, s);
    }
    return s;
  };
  const tx = sqlite.transaction((e: CapturedEvent) => {
    for (const c of e.calls) {
      const s = statement(c.sql, c.raw);
      let outcome: number;
      if (c.method === 'run') outcome = s.run(...c.params).changes;
      else if (c.method === 'get') outcome = s.get(...c.params) === undefined ? 0 : 1;
      else outcome = s.all(...c.params).length;
      if (outcome !== c.outcome) throw new Error(`raw replay: ${c.method} gave ${outcome}, the engine got ${c.outcome}: ${c.sql}`);
    }
  });
  return (e) => tx.immediate(e);
}

/** The table a captured statement works on (the first quoted name after FROM, INTO or UPDATE). */
export function tableOf(sql: string): string {
  const m = /\b(?:from|into|update)\s+"([^"]+)"/i.exec(sql);
  return m ? m[1]! : '?';
}

/**
 * The same events without their audit statements (the two SELECTs of the chain heads and the
 * INSERT into audit_log): what the engine would execute if it kept no audit trail. Used by the
 * (a-) phase, to price the audit within one run.
 */
export function withoutAudit(events: CapturedEvent[]): CapturedEvent[] {
  return events.map((e) => ({ calls: e.calls.filter((c) => tableOf(c.sql) !== 'audit_log') }));
}

/** Statements per event by table and method, for the log: e.g. `cases get 1, run 1`. */
export function callsByTable(events: CapturedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) for (const c of e.calls) {
    const key = `${tableOf(c.sql)} ${c.method}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${Math.round((n / events.length) * 100) / 100}`).join(', ');
}
