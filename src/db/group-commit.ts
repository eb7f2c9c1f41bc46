/**
 * Group commit for the HTTP path (issue 12): the writes that arrive in one turn of the event loop
 * share one transaction and one COMMIT (one WAL fsync), each in its own savepoint.
 *
 * - The first write of a turn runs BEGIN IMMEDIATE; the engine's own transactions then run as
 *   savepoints inside it (better-sqlite3 nests that way), so a refused event rolls back alone and
 *   changes nothing, and each event's version check sees the ones before it: one winner per race.
 * - COMMIT runs in `setImmediate`, after every request read in that turn has been handled.
 * - No answer leaves while a batch is open: the app's onSend hook waits for the COMMIT (`settled`).
 *   So an acknowledged event is on disk exactly as with a commit per event (it survives kill -9),
 *   and nobody is shown data that a failed COMMIT then took back: that COMMIT's answers are 500.
 *
 * Writers outside HTTP (the scheduler, the command line) keep their own transactions; one that
 * runs while a batch is open joins it as a savepoint.
 */
import type Database from 'better-sqlite3';

export interface GroupCommit {
  /** Runs a write in the current turn's batch, opening one when none is open. */
  write<T>(fn: () => T): T;
  /** Settles when the batch open now (if any) is committed; rejects when its COMMIT failed. */
  settled(): Promise<void> | undefined;
  /** Batches committed and writes in them, since start. */
  stats(): { batches: number; writes: number };
}

export function groupCommit(sqlite: Database.Database): GroupCommit {
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  let open: Promise<void> | undefined;
  let batches = 0;
  let writes = 0;
  let size = 0;

  function openBatch(): void {
    begin.run();
    size = 0;
    let settle!: (error?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Every answer of the batch waits for it; an unobserved failure is not an unhandled rejection.
    committed.catch(() => {});
    open = committed;
    setImmediate(() => {
      open = undefined;
      batches += 1;
      writes += size;
      try {
        commit.run();
        settle();
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        settle(error);
      }
    });
  }

  return {
    write<T>(fn: () => T): T {
      // A transaction this batcher did not open (a command-line tool, a test) is left alone.
      if (open === undefined && !sqlite.inTransaction) openBatch();
      if (open !== undefined) size += 1;
      return fn();
    },
    settled: () => open,
    stats: () => ({ batches, writes }),
  };
}
