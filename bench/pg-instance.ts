/**
 * One passend instance for bench/pg.ts: applies the bench plan (START_TRIAGE, then ADD_NOTE) to
 * the case ids read from stdin with the PostgreSQL engine, `argv[3]` requests in flight, the clock
 * at `argv[4]` (ms), the first `argv[5]` cases as an untimed warm-up. Prints `{ perSec, events, cpuUs }` (CPU of this
 * process per event) on its last line.
 */
import { openPostgres } from '../src/store/postgres/client.ts';
import { ManualClock } from '../src/clock.ts';
import { pgCaseEngine } from '../src/store/postgres/engine.ts';
import { EXPERT, inFlight, PLAN } from './pg.ts';

const [url, concurrency, startAt, warmArg = '0'] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const ids = JSON.parse(input) as string[];
const db = await openPostgres(url!, { migrate: false, max: Number(concurrency) });
const engine = pgCaseEngine(db, new ManualClock(new Date(Number(startAt))));
// The first `warm` cases warm the instance up (JIT, the pool's connections, each connection's
// prepared statements), untimed; the rest are timed.
const warm = Number(warmArg);
const eventsOf = (of: string[]) => PLAN.flatMap((body) => of.map((caseId) => ({ caseId, body })));
await inFlight(eventsOf(ids.slice(0, warm)), Number(concurrency), (e) => engine.applyEvent(EXPERT, e));
const events = eventsOf(ids.slice(warm));
const cpu = process.cpuUsage();
const perSec = await inFlight(events, Number(concurrency), (e) => engine.applyEvent(EXPERT, e));
const used = process.cpuUsage(cpu);
await db.$client.end();
console.log(JSON.stringify({ perSec, events: events.length, cpuUs: (used.user + used.system) / events.length }));
