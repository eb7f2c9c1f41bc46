/**
 * EXPERIMENT (not the service): src/server.ts with group commit bolted on from outside, to
 * measure what grouping commits would do for HTTP throughput and latency before anyone changes
 * src/. Run the bench against it with
 *
 *   BENCH_SERVER_ENTRY=bench/group-commit-server.ts npm run bench
 *
 * The app, routes, engine, pragmas (synchronous FULL) and checkpointer are the real ones. Two
 * things differ:
 *  - The engine's `sqlite.transaction(fn).immediate(...)` joins an open "batch" transaction: the
 *    first event of an event-loop turn runs BEGIN IMMEDIATE, every event runs in its own
 *    SAVEPOINT (better-sqlite3 nests that way, so a refused event rolls back alone), and one
 *    COMMIT (one WAL fsync) closes the batch in setImmediate, after all requests read in that
 *    turn have been handled.
 *  - No response leaves before the COMMIT of its batch: ServerResponse#end waits for it. So an
 *    acknowledged event is still on disk, as with one commit per event.
 * A real implementation would rather make applyEvent return a promise settled by the batch
 * commit (and answer 500 if that COMMIT fails; this prototype just drops the connections).
 */
import { ServerResponse } from 'node:http';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { openDatabase } from '../db/client.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startCheckpointer } from '../src/db/checkpointer.ts';
import { loggerOptions } from '../src/logger.ts';

interface Batch {
  committed: Promise<void>;
  size: number;
}

function installGroupCommit(sqlite: Database.Database): { stats: () => { batches: number; events: number } } {
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  let batch: Batch | undefined;
  let batches = 0;
  let events = 0;

  const openBatch = (): Batch => {
    begin.run();
    let settle!: (err?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => { settle = (err) => (err ? reject(err) : resolve()); });
    committed.catch(() => { /* handled by each waiting response */ });
    const opened: Batch = { committed, size: 0 };
    setImmediate(() => {
      batch = undefined;
      batches++;
      events += opened.size;
      try {
        commit.run();
        settle();
      } catch (err) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        settle(err);
      }
    });
    return opened;
  };

  const original = sqlite.transaction.bind(sqlite);
  sqlite.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const nested = original(fn);
    const grouped = (...args: unknown[]) => {
      if (!sqlite.inTransaction) batch = openBatch();
      batch!.size++;
      return nested(...args);
    };
    return Object.assign(grouped, { default: grouped, deferred: grouped, immediate: grouped, exclusive: grouped });
  }) as typeof sqlite.transaction;

  const end = ServerResponse.prototype.end;
  ServerResponse.prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    if (!batch) return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    batch.committed.then(
      () => (end as (...a: unknown[]) => ServerResponse).apply(this, args),
      () => this.destroy(),
    );
    return this;
  } as typeof ServerResponse.prototype.end;

  return { stats: () => ({ batches, events }) };
}

const config = loadConfig(process.env);
const logger = pino(loggerOptions(config.LOG_LEVEL));
const background = config.CHECKPOINT_INTERVAL_MS > 0;
const db = openDatabase(config.DATABASE_PATH, {
  synchronous: config.SQLITE_SYNCHRONOUS,
  walAutocheckpoint: background ? 0 : undefined,
});
const checkpointer = background
  ? startCheckpointer(config.DATABASE_PATH, config.CHECKPOINT_INTERVAL_MS, logger)
  : undefined;
const groupCommit = installGroupCommit(db.$client);
const app = await buildApp({ config, db, logger });

async function shutdown(): Promise<void> {
  const { batches, events } = groupCommit.stats();
  logger.warn({ batches, events, eventsPerBatch: batches ? Math.round((events / batches) * 100) / 100 : 0 },
    'group commit experiment');
  await app.close();
  await checkpointer?.stop();
  db.$client.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

await app.listen({ port: config.PORT, host: config.HOST });
