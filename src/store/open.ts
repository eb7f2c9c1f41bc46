/**
 * The one place that picks the store: PostgreSQL when DATABASE_URL is set (DESIGN §5.5: any number
 * of instances on one database), else the SQLite file at DATABASE_PATH. The server, the command
 * line, the scripts and the bench open their store here; the store is migrated on opening.
 *
 * Also here, what only the command line does with a whole store: verify its audit offline, back
 * the file up, copy the file to PostgreSQL.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Logger } from 'pino';
import type { VerifyResult } from '../audit/audit-contract.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { copySqliteToPostgres, sameAudit, type CopyReport } from './copy.ts';
import type { Store } from './port.ts';
import { openPostgres } from './postgres/client.ts';
import { postgresStore } from './postgres/store.ts';
import { verifyPostgres } from './postgres/verifier.ts';
import { startCheckpointer } from './sqlite/checkpointer.ts';
import { verifyFile } from './sqlite/audit.ts';
import { openDatabase } from './sqlite/client.ts';
import { openSqlite } from './sqlite/connection.ts';
import { rewriteOnceAfterUpgrade } from './sqlite/retention.ts';
import { sqliteStore } from './sqlite/store.ts';

export type StoreConfig = Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH' | 'SQLITE_SYNCHRONOUS' | 'CHECKPOINT_INTERVAL_MS' |
  'GROUP_COMMIT' | 'SESSION_IDLE_MINUTES'>;

export interface OpenStoreOptions {
  clock: Clock;
  logger?: Logger;
  /**
   * `service` (the default): the server's store, with the SQLite file's background checkpointer
   * and group commit. `command`: one command line's, small and plain.
   */
  use?: 'service' | 'command';
}

export async function openStore(config: StoreConfig, { clock, logger, use = 'service' }: OpenStoreOptions): Promise<Store> {
  const sessionIdleMinutes = config.SESSION_IDLE_MINUTES;
  if (config.DATABASE_URL) {
    const db = await openPostgres(config.DATABASE_URL, use === 'command' ? { max: 2 } : {});
    return postgresStore(db, clock, { sessionIdleMinutes });
  }
  const background = use === 'service' && config.CHECKPOINT_INTERVAL_MS > 0;
  const db = openDatabase(config.DATABASE_PATH, {
    synchronous: config.SQLITE_SYNCHRONOUS,
    walAutocheckpoint: background ? 0 : undefined,
  });
  if (use === 'service') {
    // Once per file: what erasures by an older version left in free space goes.
    const started = performance.now();
    if (rewriteOnceAfterUpgrade(db.$client)) {
      logger?.info({ ms: Math.round(performance.now() - started) },
        'database file rewritten once, so that no erased text remains in it');
    }
  }
  const checkpointer = background
    ? startCheckpointer(config.DATABASE_PATH, config.CHECKPOINT_INTERVAL_MS, logger,
      () => db.$client.pragma('wal_autocheckpoint = 1000'))
    : undefined;
  return sqliteStore(db, clock, {
    groupCommit: use === 'service' && config.GROUP_COMMIT !== 'off',
    sessionIdleMinutes,
    logger,
    onClose: async () => {
      await checkpointer?.stop();
      db.$client.close();
    },
  });
}

export class StoreCommandRefused extends Error {}

/** The audit verified from its first entry, without migrating or writing anything. */
export async function verifyStoreAudit(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): Promise<VerifyResult> {
  if (config.DATABASE_URL) {
    const db = await openPostgres(config.DATABASE_URL, { max: 2 });
    try {
      return (await verifyPostgres(db)).result;
    } finally {
      await db.$client.end();
    }
  }
  if (!existsSync(config.DATABASE_PATH)) throw new StoreCommandRefused(`no database at ${config.DATABASE_PATH}`);
  return verifyFile(config.DATABASE_PATH);
}

/**
 * A consistent copy of the SQLite file while the service runs, with SQLite's online backup API:
 * after a first step, the rest is copied in one step, inside one read transaction, so that writes
 * going on (which WAL lets through) cannot make it start over and over. Written beside the target
 * and renamed when complete; never over an existing file. Its audit is verified. PostgreSQL is
 * backed up with its own tools.
 */
export async function backupStore(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>, target: string | undefined):
Promise<VerifyResult> {
  if (config.DATABASE_URL) {
    throw new StoreCommandRefused('on PostgreSQL, back up with the server\'s own tools (pg_dump, or your provider\'s backups)');
  }
  if (!target) throw new StoreCommandRefused('name the file to write the backup to');
  const path = config.DATABASE_PATH;
  if (!existsSync(path)) throw new StoreCommandRefused(`no database at ${path}`);
  if (existsSync(target)) throw new StoreCommandRefused(`${target} exists: a backup never overwrites a file`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const source = openSqlite(path, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
  } finally {
    source.close();
  }
  renameSync(partial, target);
  return verifyFile(target);
}

/**
 * Copies the SQLite file to an empty PostgreSQL database (copy.ts), then verifies the audit on
 * both: the copy is good when both end at the same head.
 */
export async function copyFileToPostgres(path: string, url: string):
Promise<CopyReport & { copied: VerifyResult; same: boolean }> {
  if (!existsSync(path)) throw new StoreCommandRefused(`no database at ${path}`);
  // Migrated first, so that a file of an older version is copied with every column filled.
  openDatabase(path).$client.close();
  const sqlite = openSqlite(path, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const target = await openPostgres(url);
  try {
    const report = await copySqliteToPostgres(sqlite, target);
    const copied = (await verifyPostgres(target)).result;
    return { ...report, copied, same: sameAudit(report.source, copied) };
  } finally {
    sqlite.close();
    await target.$client.end();
  }
}
