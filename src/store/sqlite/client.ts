/**
 * Opening the SQLite store: pragmas and migrations. Nothing here runs at import time; the server,
 * the CLI, the tests and the bench each open their own handle.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openSqlite } from './connection.ts';
import { backfillReportFacts } from './facts-backfill.ts';
import * as schema from '../../../db/schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface OpenOptions {
  /**
   * FULL (the default) syncs the WAL on every commit, so an acknowledged event survives a power
   * cut. NORMAL survives a crash of the process but may lose the last commits on power loss.
   */
  synchronous?: Synchronous;
  /**
   * Pages after which a commit checkpoints the WAL itself. 0 leaves checkpoints to a separate
   * checkpointer (see src/store/sqlite/checkpointer.ts), so no request pays for one.
   */
  walAutocheckpoint?: number;
  migrate?: boolean;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = openSqlite(path);
  applyPragmas(sqlite, options);
  const db = drizzle({ client: sqlite, schema });
  if (options.migrate ?? true) {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    backfillReportFacts(sqlite);
  }
  return db;
}

export function applyPragmas(sqlite: Database.Database, options: OpenOptions = {}): void {
  // Set again here for handles opened elsewhere (the bench): freed space is zeroed (connection.ts).
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // After a checkpoint, keep the WAL file from staying at its largest size.
  sqlite.pragma('journal_size_limit = 67108864');
  if (options.walAutocheckpoint !== undefined) {
    sqlite.pragma(`wal_autocheckpoint = ${options.walAutocheckpoint}`);
  }
}
