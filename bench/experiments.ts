/**
 * Experiments behind the bench's analysis (not part of `npm run bench`), in process, with the
 * service's pragmas and checkpointer, interleaved in blocks like the bench:
 *
 *   raw            the engine's captured statements replayed (bench phase (a))
 *   engine         caseEngine.applyEvent as it is (bench phase (b))
 *   engine-noinit  the same, with XState's throwaway actor made cheap: `transition()` builds an
 *                  inert actor per call whose constructor computes the machine's initial
 *                  snapshot without input (the referral context factory throws a TypeError on
 *                  `input.bridgingThresholdWeeks`, which the Actor swallows). Here the machine's
 *                  getInitialSnapshot throws a preallocated error at once when there is no input:
 *                  the same outcome (an inert actor in 'error' status), none of the work. Only
 *                  active during its own blocks. Stands in for a change to machines/referral.ts.
 *   engine-scope   applyEvent with `step` reusing one inert actor scope (bench/engine-reuse-scope.ts),
 *                  a prototype of the fix proposed for machines/referral.ts.
 *   engine-batch10 caseEngine.applyEvent, ten events per BEGIN IMMEDIATE ... COMMIT (each event
 *                  in its own savepoint, as better-sqlite3 nests transactions): one fsync per ten
 *                  events, what group commit would give.
 *
 *   node --import tsx --expose-gc bench/experiments.ts [cases=5000] [blocks=10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referralMachine } from '../machines/referral.machine.ts';
import { startCheckpointer } from '../src/db/checkpointer.ts';
import { engineApplier, engineRequests, type EngineRequest } from './engine.ts';
import { caseEngineReusingScope } from './engine-reuse-scope.ts';
import { captureEngineWrites, rawReplayer } from './raw.ts';
import { describePressure, gc, percentile, pressureTotals, round, timeEach } from './stats.ts';
import { cloneDatabase, eventsFor, memoryCopy, seedDatabase, writtenVolume, type Seeded } from './workload.ts';

const cases = Number(process.argv[2] ?? 5000);
const blocks = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'passend-exp-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

const { db: templateDb, ...template } = seedDatabase(join(dir, 'template.db'), cases, 300);
templateDb.$client.close();
const scratch = memoryCopy(template);
const captured = captureEngineWrites(scratch);
scratch.db.$client.close();

const NO_INPUT = new Error('no input: inert actor');
const machine = referralMachine as unknown as { getInitialSnapshot: (scope: unknown, input?: unknown) => unknown };
const originalInit = machine.getInitialSnapshot;
const patchedInit = function (this: unknown, scope: unknown, input?: unknown) {
  if (input === undefined) throw NO_INPUT;
  return originalInit.call(this, scope, input);
};

interface Variant {
  name: string;
  db: Seeded;
  warm: () => void;
  block: (from: number, to: number) => { seconds: number; perItemMs: Float64Array };
  seconds: number;
  perItem: Float64Array[];
  before?: () => void;
  after?: () => void;
}

function engineVariant(name: string, batch: number, patch: boolean, reuseScope = false): Variant {
  const db = cloneDatabase(template, join(dir, `${name}.db`));
  const apply = reuseScope ? engineApplier(db, caseEngineReusingScope) : engineApplier(db);
  const requests = engineRequests(db.caseIds);
  const sqlite = db.db.$client;
  const chunked = (rs: EngineRequest[]) => {
    const chunks: EngineRequest[][] = [];
    for (let i = 0; i < rs.length; i += batch) chunks.push(rs.slice(i, i + batch));
    return chunks;
  };
  const many = sqlite.transaction((rs: EngineRequest[]) => { for (const r of rs) apply(r); });
  const run = batch === 1 ? apply : (rs: EngineRequest[]) => many.immediate(rs);
  return {
    name, db, seconds: 0, perItem: [],
    before: patch ? () => { machine.getInitialSnapshot = patchedInit; } : undefined,
    after: patch ? () => { machine.getInitialSnapshot = originalInit; } : undefined,
    warm: () => {
      const warm = engineRequests(db.warmupIds);
      if (batch === 1) warm.forEach((r) => (run as typeof apply)(r));
      else chunked(warm).forEach((c) => (run as (rs: EngineRequest[]) => void)(c));
    },
    block: (from, to) => {
      if (batch === 1) return timeEach(requests.slice(from, to), apply);
      const r = timeEach(chunked(requests.slice(from, to)), run as (rs: EngineRequest[]) => void);
      return { seconds: r.seconds, perItemMs: r.perItemMs.map((ms) => ms / batch) };
    },
  };
}

const rawDb = cloneDatabase(template, join(dir, 'raw.db'));
const rawApply = rawReplayer(rawDb);
const variants: Variant[] = [
  {
    name: 'raw', db: rawDb, seconds: 0, perItem: [],
    warm: () => captured.warmup.forEach(rawApply),
    block: (from, to) => timeEach(captured.timed.slice(from, to), rawApply),
  },
  engineVariant('engine', 1, false),
  engineVariant('engine-noinit', 1, true),
  engineVariant('engine-scope', 1, false, true),
  engineVariant('engine-batch10', 10, false),
];
const checkpointers = variants.map((v) => startCheckpointer(v.db.path, 1000));
for (const v of variants) { v.before?.(); v.warm(); v.after?.(); }

const total = eventsFor(cases);
const pressure = pressureTotals();
const start = performance.now();
console.log(`${cases} cases, ${total} events per variant, ${blocks} interleaved blocks; events/s per block`);
console.log(`block ${variants.map((v) => v.name.padStart(15)).join('')}`);
for (let b = 0; b < blocks; b++) {
  const from = Math.floor((b * total) / blocks);
  const to = Math.floor(((b + 1) * total) / blocks);
  const order = b % 2 === 0 ? variants : [...variants].reverse();
  const rates: Record<string, number> = {};
  for (const v of order) {
    gc();
    v.before?.();
    const r = v.block(from, to);
    v.after?.();
    v.seconds += r.seconds;
    v.perItem.push(r.perItemMs);
    rates[v.name] = (to - from) / r.seconds;
  }
  console.log(`${String(b + 1).padStart(5)} ${variants.map((v) => round(rates[v.name]!, 0).toString().padStart(15)).join('')}`);
}
console.log(`machine: ${describePressure(pressure, pressureTotals(), (performance.now() - start) / 1000)}`);
for (const c of checkpointers) await c.stop();

const rawRate = total / variants[0]!.seconds;
for (const v of variants) {
  const all = Float64Array.from(v.perItem.flatMap((p) => [...p])).sort();
  const rate = total / v.seconds;
  console.log(`${v.name.padEnd(15)} ${round(rate, 1).toString().padStart(8)} events/s  ×raw ${round(rate / rawRate, 3)}  ` +
    `per event p50 ${round(percentile(all, 50), 3)} ms p99 ${round(percentile(all, 99), 3)} ms  ` +
    `written ${JSON.stringify(writtenVolume(v.db.db))}`);
  v.db.db.$client.close();
}
