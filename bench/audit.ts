/**
 * The audit trail in the bench (issue 4):
 *
 * (e) verifyAudit: the rate of `auditTrail(db).verify()` (src/store/sqlite/audit.ts), which walks the
 *     whole log in order, recomputes every entry's hash and both chains, and pairs each case entry
 *     with its case_events row. run.ts times it on the report bench's 100,000-case database
 *     (about 1,000,000 entries), or with BENCH_REPORT=0 on a database of its own
 *     (verifyOwnDatabase, BENCH_VERIFY_CASES cases of 10 entries each).
 *
 * (f) auditCpu: what the audit costs in process, with synchronous=OFF so that no fsync hides or
 *     blurs it, each on a fresh copy of the seeded database (WAL, no checkpoints during the run):
 *     - the captured engine statements replayed with and without the audit statements (the same
 *       replay as phase (a)), in ABBA halves: µs per event and WAL pages written per event;
 *     - caseEngine.applyEvent: µs per event (the engine's whole in-process cost);
 *     - auditTrail.append alone, 1,000 per transaction (two SELECTs of the chain heads, three
 *       SHA-256, one INSERT), and chain() alone (the hashing): µs per entry.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../src/store/sqlite/client.ts';
import { REFERRAL_MACHINE_VERSION } from '../machines/referral.machine.ts';
import { chain, GENESIS, sha256, type AuditFields } from '../src/audit/audit-hash.ts';
import { auditTrail } from '../src/store/sqlite/audit.ts';
import { engineApplier, engineRequests } from './engine.ts';
import { rawReplayer, withoutAudit, type CapturedEvent } from './raw.ts';
import { actorsOf } from './report-bench.ts';
import { loadCasesParallel } from './report-load.ts';
import { gc } from './stats.ts';
import { MIX, bodyOf, cloneDatabase, type Seeded } from './workload.ts';
import type { NewAuditEntry } from '../src/audit/audit-chain.ts';

export interface VerifyFigures {
  entries: number;
  seconds: number;
  perSec: number;
}

/** Times one full verification; throws unless the trail verifies. */
export function verifyAudit(db: Db): VerifyFigures {
  gc();
  const start = performance.now();
  const r = auditTrail(db).verify();
  const seconds = (performance.now() - start) / 1000;
  if (!r.ok) throw new Error(`audit verify failed after ${r.checked} entries: ${JSON.stringify(r.firstBroken)}`);
  return { entries: r.checked, seconds, perSec: r.checked / seconds };
}

/** Builds `cases` report-bench cases (10 entries each) in `dir` and verifies their trail. */
export async function verifyOwnDatabase(dir: string, cases: number): Promise<VerifyFigures & { loadSeconds: number }> {
  const path = join(dir, 'verify.db');
  const db = openDatabase(path, { synchronous: 'OFF' });
  try {
    const start = performance.now();
    await loadCasesParallel(path, actorsOf(db, new Date('2027-01-15T12:00:00Z')), 0, cases);
    const loadSeconds = (performance.now() - start) / 1000;
    return { ...verifyAudit(db), loadSeconds };
  } finally {
    db.$client.close();
  }
}

export interface AuditCpu {
  /** Events of each measurement. */
  events: number;
  rawOffWithAuditUs: number;
  rawOffWithoutAuditUs: number;
  walPagesPerEventWithAudit: number;
  walPagesPerEventWithoutAudit: number;
  engineOffUs: number;
  auditAppendUs: number;
  auditHashUs: number;
}

const walFrames = (seeded: Seeded): number => {
  const pageSize = seeded.db.$client.pragma('page_size', { simple: true }) as number;
  let bytes = 0;
  try { bytes = statSync(`${seeded.path}-wal`).size; } catch { /* no WAL yet */ }
  return bytes <= 32 ? 0 : (bytes - 32) / (pageSize + 24);
};

/** Opens a fresh copy of the template with synchronous=OFF (and no checkpoints). */
function offCopy(template: Omit<Seeded, 'db'>, path: string, track: (s: Seeded) => void): Seeded {
  const seeded = cloneDatabase(template, path);
  track(seeded);
  seeded.db.$client.pragma('synchronous = OFF');
  return seeded;
}

export function auditCpu(template: Omit<Seeded, 'db'>, captured: { warmup: CapturedEvent[]; timed: CapturedEvent[] },
  dir: string, track: (s: Seeded) => void, close: (s: Seeded) => void): AuditCpu {
  const n = captured.timed.length;
  const half = Math.floor(n / 2);

  // The replay with and without the audit statements, ABBA over two halves of the events.
  const withDb = offCopy(template, join(dir, 'audit-off-with.db'), track);
  const withoutDb = offCopy(template, join(dir, 'audit-off-without.db'), track);
  const replay = { with: rawReplayer(withDb), without: rawReplayer(withoutDb) };
  const events = { with: captured.timed, without: withoutAudit(captured.timed) };
  for (const e of captured.warmup) replay.with(e);
  for (const e of withoutAudit(captured.warmup)) replay.without(e);
  const framesBefore = { with: walFrames(withDb), without: walFrames(withoutDb) };
  const ms = { with: 0, without: 0 };
  const run = (kind: 'with' | 'without', from: number, to: number): void => {
    gc();
    const start = performance.now();
    for (let i = from; i < to; i++) replay[kind](events[kind][i]!);
    ms[kind] += performance.now() - start;
  };
  run('with', 0, half);
  run('without', 0, half);
  run('without', half, n);
  run('with', half, n);
  const pages = {
    with: (walFrames(withDb) - framesBefore.with) / n,
    without: (walFrames(withoutDb) - framesBefore.without) / n,
  };
  close(withDb);
  close(withoutDb);

  // The engine, then audit.append and chain() on its database.
  const engineDb = offCopy(template, join(dir, 'audit-off-engine.db'), track);
  const apply = engineApplier(engineDb);
  for (const r of engineRequests(engineDb.warmupIds)) apply(r);
  const requests = engineRequests(engineDb.caseIds);
  gc();
  let start = performance.now();
  for (const r of requests) apply(r);
  const engineOffUs = ((performance.now() - start) * 1000) / requests.length;

  const audit = auditTrail(engineDb.db);
  const { actor } = engineDb.clients.localTeam;
  const note = bodyOf(MIX.findIndex((m) => m.type === 'ADD_NOTE'));
  const { type: _type, ...notePayload } = note;
  const payload = JSON.stringify(notePayload);
  const entryOf = (caseId: string): NewAuditEntry => ({
    at: new Date().toISOString(), action: 'event_applied', caseId,
    actorRole: actor.role, actorOrganisation: actor.organisation, actorName: actor.name, actorClientId: actor.clientId,
    onBehalfOf: null, eventType: 'ADD_NOTE', fromState: 'triage', toState: 'triage',
    machineVersion: REFERRAL_MACHINE_VERSION, payload,
  });
  const entries = engineDb.caseIds.map(entryOf);
  const appendBatch = engineDb.db.$client.transaction((batch: NewAuditEntry[]) => { for (const e of batch) audit.append(e); });
  appendBatch.immediate(engineDb.warmupIds.map(entryOf));
  gc();
  start = performance.now();
  for (let i = 0; i < entries.length; i += 1000) appendBatch.immediate(entries.slice(i, i + 1000));
  const auditAppendUs = ((performance.now() - start) * 1000) / entries.length;

  const fields: AuditFields[] = entries.map((e, i) => ({ ...e, seq: i + 1, caseSeq: 3, payloadHash: sha256(e.payload) }));
  let sink = 0;
  gc();
  start = performance.now();
  for (const f of fields) sink += chain(f, GENESIS, GENESIS).logHash.length;
  const auditHashUs = ((performance.now() - start) * 1000) / fields.length;
  if (sink !== fields.length * 64) throw new Error('chain: unexpected hash length');
  close(engineDb);

  return {
    events: n,
    rawOffWithAuditUs: (ms.with * 1000) / n,
    rawOffWithoutAuditUs: (ms.without * 1000) / n,
    walPagesPerEventWithAudit: pages.with,
    walPagesPerEventWithoutAudit: pages.without,
    engineOffUs,
    auditAppendUs,
    auditHashUs,
  };
}
