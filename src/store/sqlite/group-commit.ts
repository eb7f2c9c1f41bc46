/**
 * Group commit for the HTTP path: the writes that arrive in one turn of the event loop
 * share one transaction and one COMMIT (one WAL fsync), each in its own savepoint.
 *
 * - The first write of a turn runs BEGIN IMMEDIATE; the engine's own transactions then run as
 *   savepoints inside it (better-sqlite3 nests that way), so a refused event rolls back alone and
 *   changes nothing, and each event's version check sees the ones before it: one winner per race.
 * - COMMIT runs in `setImmediate`, after every request read in that turn has been handled.
 * - No answer leaves while a batch is open: the app's onSend hook waits for the COMMIT (`settled`).
 *   So an acknowledged event is on disk exactly as with a commit per event (it survives kill -9),
 *   and nobody is shown data that a failed COMMIT then took back: that COMMIT's answers are 500.
 * - The fsync is off the event loop. With synchronous FULL (the default) SQLite would fsync the WAL
 *   inside COMMIT, and the whole process waited for the disk while requests queued behind it. A
 *   batch therefore commits with synchronous NORMAL (the WAL frames are written, not synced) and
 *   the WAL is then fsynced on libuv's thread pool; the batch's answers, and every other answer
 *   sent meanwhile (it could show the batch's data), wait for that fsync. The next batch runs
 *   while the disk works. An acknowledged event is thus as durable as with FULL, power cut
 *   included. An fsync that fails leaves the batch's durability unknown (Linux may have dropped the
 *   pages): its answers are 500 and every later write is refused until the service restarts and
 *   SQLite reads the WAL back, as PostgreSQL does after a failed fsync. Notifications are claimed
 *   only after the batches before them are synced (store.ts). What a batch wrote is visible
 *   to other connections before its sync (with FULL it is not): the service's own readers answer
 *   through the same wait, but another process (a command-line backup) could copy an event that a
 *   power cut in that fraction of a millisecond then takes back.
 *
 * The service's background writers (the scheduler's deadlines, the deliverer's claims, the access
 * log) write through the batches too and wait for them (store.ts). The command line and the
 * sessions keep their own transactions; one that runs while a batch is open joins it as a
 * savepoint. A batch that changed nothing (an idle scheduler round) commits without a sync.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import type Database from 'better-sqlite3';

export interface GroupCommit {
  /** Runs a write in the current turn's batch, opening one when none is open. */
  write<T>(fn: () => T): T;
  /**
   * Settles when the batch open now (if any) and every batch still being fsynced are durable;
   * rejects when one of them failed. Undefined when there is nothing to wait for.
   */
  settled(): Promise<void> | undefined;
  /** Batches committed and writes in them, and WAL syncs, since start; durations of the latest syncs. */
  stats(): CommitStats;
  /** Set once a sync failed: writes are refused and /health says unavailable until a restart. */
  lost(): DurabilityLost | undefined;
  /** Waits for the open batch and the syncs under way and lets go of the -wal file; before the database is closed. */
  close(): Promise<void>;
}

export interface CommitStats {
  batches: number;
  writes: number;
  syncs: number;
  /** Milliseconds per WAL sync over the latest (up to SYNC_SAMPLES) syncs; null before the first. */
  syncMs: { p50: number; p99: number; max: number } | null;
}

/** How many of the latest sync durations `stats()` summarises. */
const SYNC_SAMPLES = 1024;

export interface GroupCommitOptions {
  /** Makes the WAL durable (fdatasync of the -wal file); replaceable in tests. */
  syncWal?: WalSync;
}

/** SQLite's numbers for PRAGMA synchronous. */
const NORMAL = 1;

/** A WAL sync: resolves once the -wal file is on disk. */
export interface WalSync {
  (): Promise<void>;
  /** Lets go of what the sync holds open. */
  close?(): Promise<void>;
}

/**
 * fdatasync of the database's -wal file on libuv's thread pool (fsync is per file, not per
 * descriptor), through one descriptor kept open: SQLite keeps the file (truncating it at most)
 * while any connection is open, and ours is. A -wal file that is gone has nothing left to sync:
 * SQLite removes it only when the last connection closes, after checkpointing every frame into the
 * database file and syncing that. (A checkpoint in between syncs the WAL before copying it, and
 * the database file after.)
 */
export function walSyncer(path: string): WalSync {
  let handle: Promise<FileHandle | null> | undefined;
  const sync: WalSync = async () => {
    handle ??= openFile(`${path}-wal`, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    let file: FileHandle | null;
    try {
      file = await handle;
    } catch (error) {
      handle = undefined;
      throw error;
    }
    if (file === null) {
      handle = undefined;
      return;
    }
    await file.datasync();
  };
  sync.close = async () => {
    const file = await handle?.catch(() => null);
    handle = undefined;
    await file?.close();
  };
  return sync;
}

export class DurabilityLost extends Error {
  constructor(cause: unknown) {
    super('the write-ahead log could not be synced to disk: writes are refused until the service restarts', { cause });
  }
}

export function groupCommit(sqlite: Database.Database, options: GroupCommitOptions = {}): GroupCommit {
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const changes = sqlite.prepare('SELECT total_changes()').pluck();
  // Only a connection that syncs every commit (FULL or EXTRA) and has a file is synced here;
  // with NORMAL or OFF the operator chose not to wait for the disk, and COMMIT stays as it is.
  const level = sqlite.pragma('synchronous', { simple: true }) as number;
  const syncWal = level > NORMAL && !sqlite.memory ? options.syncWal ?? walSyncer(sqlite.name) : undefined;
  // PRAGMA synchronous takes effect when the statement is prepared: it cannot be kept prepared.
  const setLevel = (to: number) => sqlite.exec(`PRAGMA synchronous = ${to}`);
  let open: Promise<void> | undefined;
  /** Batches committed and not yet synced. */
  const syncing = new Set<Promise<void>>();
  /** The settling of the batches committed since the sync under way began: the next sync's. */
  let queued: ((error?: unknown) => void)[] = [];
  let syncRunning = false;
  let lost: DurabilityLost | undefined;
  let batches = 0;
  let writes = 0;
  let size = 0;
  let syncs = 0;
  const syncDurations = new Float64Array(SYNC_SAMPLES);

  function openBatch(): void {
    if (syncWal) setLevel(NORMAL);
    try {
      begin.run();
    } catch (error) {
      // Not begun (the write lock is busy, say): the level goes back at once.
      if (syncWal) setLevel(level);
      throw error;
    }
    size = 0;
    const changesBefore = changes.get() as number;
    let settle!: (error?: unknown) => void;
    const durable = new Promise<void>((resolve, reject) => {
      // A batch fails with whatever its statement or its sync threw, passed on as it is.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as above
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Every answer of the batch waits for it; an unobserved failure is not an unhandled rejection.
    durable.catch(() => {});
    open = durable;
    setImmediate(() => {
      open = undefined;
      batches += 1;
      writes += size;
      // Closed under an open batch (close() waits for it; a caller that did not): SQLite has rolled it back.
      if (!sqlite.open) return settle(new Error('the database was closed before this batch was committed'));
      let changed: boolean;
      try {
        // Begun before a sync failed: no later sync could vouch for it, so it is taken back.
        if (lost) throw lost;
        changed = changes.get() !== changesBefore;
        commit.run();
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
        settle(error);
        return;
      } finally {
        // Writers outside the batches (the command line, sessions) keep the configured level.
        if (syncWal) setLevel(level);
      }
      // Nothing written, nothing to sync (the WAL holds no frame of this batch).
      if (!syncWal || !changed) return settle();
      syncing.add(durable);
      queued.push((error) => {
        syncing.delete(durable);
        settle(error);
      });
      if (!syncRunning) runSync(syncWal);
    });
  }

  /**
   * One fdatasync at a time, covering every batch committed before it began; the batches
   * committed meanwhile wait for the next one, which covers them all. Syncs of one file queue in
   * the kernel anyway: one per batch, a few in flight, made each answer wait for all of them.
   */
  function runSync(sync: WalSync): void {
    const group = queued;
    queued = [];
    syncRunning = true;
    const started = performance.now();
    // Through a promise, so that a sync that throws instead of rejecting fails its batches too.
    Promise.resolve().then(sync).then(() => {
      syncDurations[syncs % SYNC_SAMPLES] = performance.now() - started;
      syncs += 1;
      syncRunning = false;
      for (const settle of group) settle();
      if (queued.length > 0) runSync(sync);
    }, (error: unknown) => {
      syncRunning = false;
      lost ??= new DurabilityLost(error);
      // After a failed fsync Linux may have dropped the pages: a later sync proves nothing, so
      // the batches waiting for it fail too.
      const waiting = queued;
      queued = [];
      for (const settle of [...group, ...waiting]) settle(lost);
    });
  }

  return {
    write<T>(fn: () => T): T {
      if (lost) throw lost;
      // A transaction this batcher did not open (a command-line tool, a test) is left alone.
      if (open === undefined && !sqlite.inTransaction) openBatch();
      if (open !== undefined) size += 1;
      return fn();
    },
    settled(): Promise<void> | undefined {
      if (syncing.size === 0) return open;
      const waits = [...syncing];
      if (open) waits.push(open);
      return Promise.all(waits).then(() => undefined);
    },
    stats(): CommitStats {
      const durations = syncDurations.slice(0, Math.min(syncs, SYNC_SAMPLES)).sort();
      // Nearest rank: the smallest duration that at least this share of the syncs did not exceed.
      const at = (q: number) => Math.round(durations[Math.max(0, Math.ceil(q * durations.length) - 1)]! * 100) / 100;
      return { batches, writes, syncs, syncMs: durations.length === 0 ? null : { p50: at(0.5), p99: at(0.99), max: at(1) } };
    },
    lost: () => lost,
    async close() {
      // The batch open now commits on its turn; then every sync under way.
      await open?.catch(() => {});
      await Promise.allSettled([...syncing]);
      await syncWal?.close?.();
    },
  };
}
