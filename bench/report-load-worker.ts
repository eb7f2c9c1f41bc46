/** One worker of report-load.ts: plans its batches, writes each one when its turn comes. */
import { workerData } from 'node:worker_threads';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { caseWriter } from '../src/store/sqlite/writer.ts';
import { BATCH, type LoadJob } from './report-load.ts';
import { planCase, writePlan, type CasePlan } from './report-workload.ts';

const job = workerData as LoadJob;
const turn = new Int32Array(job.turn);
// The connection of the report bench's loader: synchronous OFF; the file is already migrated.
const db = openDatabase(job.path, { synchronous: 'OFF', migrate: false });
const writer = caseWriter(db);
const write = db.$client.transaction((plans: CasePlan[]) => { for (const p of plans) writePlan(writer, p); });
try {
  const batches = Math.ceil((job.to - job.from) / BATCH);
  for (let k = job.worker; k < batches; k += job.workers) {
    const start = job.from + k * BATCH;
    const plans: CasePlan[] = [];
    for (let i = start; i < Math.min(job.to, start + BATCH); i++) plans.push(planCase(job.actors, i));
    for (let now = Atomics.load(turn, 0); now !== k; now = Atomics.load(turn, 0)) {
      if (now === -1) throw new Error('aborted');
      Atomics.wait(turn, 0, now);
    }
    write.immediate(plans);
    Atomics.store(turn, 0, k + 1);
    Atomics.notify(turn, 0);
  }
} finally {
  db.$client.close();
}
