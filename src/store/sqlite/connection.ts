/**
 * Every SQLite connection the service, its threads and the command line open goes through here,
 * so that each has `secure_delete` from its first statement. With it SQLite overwrites
 * with zeros what a delete or an update frees, instead of leaving the old bytes in the page's free
 * space or on the freelist where any later copy of the file (a backup) would carry them.
 *
 * That alone does not reach bytes left behind before it was on, nor copies that page splits
 * moved: retention rewrites the whole file after an erasure (VACUUM), retention.ts.
 */
import Database from 'better-sqlite3';

export function openSqlite(path: string, options: Database.Options = {}): Database.Database {
  const sqlite = new Database(path, options);
  try {
    sqlite.pragma('secure_delete = ON');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return sqlite;
}
