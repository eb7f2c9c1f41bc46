/**
 * A second instance for test/pg/instances.crash.test.ts: fires the due deadlines of the database
 * at `argv[2]`, as of the instant `argv[3]`, a few at a time, until it is killed. Prints a line
 * per round so the test knows it is working.
 */
import { openPostgres } from '../../src/store/postgres/client.ts';
import { ManualClock } from '../../src/clock.ts';
import { pgCaseEngine } from '../../src/store/postgres/engine.ts';

const [url, now] = process.argv.slice(2);
const db = await openPostgres(url!, { migrate: false, max: 2 });
const engine = pgCaseEngine(db, new ManualClock(now!));
for (;;) {
  const { fired } = await engine.fireDueTimers(3);
  process.stdout.write(`round ${fired}\n`);
}
